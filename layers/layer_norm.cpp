#include "layers/layer_norm.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/norm.h"

namespace dither {

LayerNorm::LayerNorm(const LayerNormOptions& options) : options_(options) {
  const Shape& shape = options.normalized_shape;
  check(!shape.empty() && std::all_of(shape.begin(), shape.end(), [](auto s) { return s >= 1; }),
        "layer_norm: normalized_shape must be non-empty with sizes >= 1, got ", shape);
  check(options.eps > 0.0, "layer_norm: eps must be > 0, got ", options.eps);
  weight_ = register_parameter("weight", Tensor::ones(shape));
  bias_ = register_parameter("bias", Tensor::zeros(shape));
}

Tensor LayerNorm::forward(const Tensor& x) {
  return layer_norm(x, options_.normalized_shape, weight_, bias_, static_cast<float>(options_.eps));
}

nlohmann::json LayerNorm::to_json() const {
  return {{"type", type_name()}, {"axes", options_.normalized_shape.size()}, {"eps", options_.eps}};
}

}  // namespace dither
