#pragma once

#include <cstdint>
#include <string>

#include "layers/weight_layer.h"

namespace dither {

struct LinearOptions {
  std::int64_t in = 0;   ///< features of the input's last axis; inferred when built from JSON
  std::int64_t out = 0;  ///< features of the output's last axis
  bool bias = true;
  std::string init = "default";  ///< weight scheme, one of init_schemes()
};

/// y = x Wᵀ + b over the last axis; x: [N, ..., in] -> y: [N, ..., out]; W: [out, in], b: [out].
/// W follows options.init (PyTorch's U(±1/√in) by default), b is U(±1/√in).
/// JSON: {"type": "linear", "out": 10, "bias": true, "init": "default"}.
class Linear : public WeightLayer {
 public:
  /// Throws Error unless in >= 1 and out >= 1.
  explicit Linear(const LinearOptions& options);

  /// x Wᵀ + b with `weight` [out, in] in place of W.
  Tensor forward_with(const Tensor& x, const Tensor& weight) const override;
  std::string type_name() const override { return "linear"; }
  nlohmann::json to_json() const override;
  /// in * out per position of the input's leading axes.
  std::int64_t flops(const Shape& input) const override;

  const LinearOptions& options() const { return options_; }

 private:
  LinearOptions options_;
};

}  // namespace dither
