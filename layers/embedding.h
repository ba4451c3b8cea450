#pragma once

#include <cstdint>

#include "layers/module.h"

namespace dither {

struct EmbeddingOptions {
  std::int64_t num_embeddings = 0;  ///< vocabulary size V: ids run over [0, V)
  std::int64_t dim = 0;             ///< vector size D
};

/// Looks up rows of a table W: [V, D] ~ N(0, 1) (PyTorch's default). x: [N, ...] float tensor of
/// integer ids -> [N, ..., D]; an id outside [0, V) is an error naming it. No gradient flows to
/// the ids. JSON: {"type": "embedding", "num_embeddings": 10000, "dim": 64}.
class Embedding : public Module {
 public:
  /// Throws Error unless num_embeddings >= 1 and dim >= 1.
  explicit Embedding(const EmbeddingOptions& options);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "embedding"; }
  nlohmann::json to_json() const override;

  const EmbeddingOptions& options() const { return options_; }
  const Tensor& weight() const { return weight_; }  ///< [V, D]

 private:
  EmbeddingOptions options_;
  Tensor weight_;
};

}  // namespace dither
