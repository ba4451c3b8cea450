#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

struct LayerNormOptions {
  Shape normalized_shape;  ///< the trailing axes normalised; from the input when built from JSON
  double eps = 1e-5;
};

/// Layer normalisation over the trailing axes normalized_shape (see layer_norm), with a learned
/// elementwise scale "weight" (ones) and shift "bias" (zeros) of that shape. The same in every
/// mode. JSON: {"type": "layer_norm", "axes": 1, "eps": 1e-5}, where axes counts the trailing
/// per-sample axes normalised (1: the last).
class LayerNorm : public Module {
 public:
  /// Throws Error unless normalized_shape is non-empty with sizes >= 1 and eps > 0.
  explicit LayerNorm(const LayerNormOptions& options);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "layer_norm"; }
  nlohmann::json to_json() const override;
  /// About two multiply-adds per input element (normalise, then scale and shift).
  std::int64_t flops(const Shape& input) const override { return 2 * numel(input); }

  const LayerNormOptions& options() const { return options_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  LayerNormOptions options_;
  Tensor weight_, bias_;
};

}  // namespace dither
