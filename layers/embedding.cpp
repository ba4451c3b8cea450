#include "layers/embedding.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/index.h"
#include "layers/init.h"

namespace dither {

Embedding::Embedding(const EmbeddingOptions& options) : options_(options) {
  check(options.num_embeddings >= 1 && options.dim >= 1,
        "embedding: num_embeddings and dim must be >= 1, got ", options.num_embeddings, " and ",
        options.dim);
  weight_ = register_parameter("weight", init_normal({options.num_embeddings, options.dim}, 1.0));
}

Tensor Embedding::forward(const Tensor& x) { return embedding(weight_, x); }

nlohmann::json Embedding::to_json() const {
  return {
      {"type", type_name()}, {"num_embeddings", options_.num_embeddings}, {"dim", options_.dim}};
}

}  // namespace dither
