#include "layers/drop_path.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/noise.h"

namespace dither {

DropPath::DropPath(double p) : p_(check_drop_probability("drop_path", p)) {}

Tensor DropPath::forward(const Tensor& x) {
  check_shape(x.dim() >= 1, "drop_path: input ", x.shape(), " has no batch axis");
  if (!noise_active() || p_ == 0.0) return x;
  Shape mask_shape(x.shape().size(), 1);
  mask_shape[0] = x.size(0);
  return dropout(x, p_, noise_stream(type_name()), mask_shape);
}

nlohmann::json DropPath::to_json() const { return {{"type", type_name()}, {"p", p_}}; }

}  // namespace dither
