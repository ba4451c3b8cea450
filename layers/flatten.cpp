#include "layers/flatten.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/shape_ops.h"

namespace dither {

Flatten::Flatten(std::int64_t start_axis) : start_axis_(start_axis) {
  check(start_axis >= 1, "flatten: start_axis must be >= 1 (axis 0 is the batch), got ",
        start_axis);
}

Tensor Flatten::forward(const Tensor& x) {
  check_shape(x.dim() > start_axis_, "flatten: input ", x.shape(), " has no axis ", start_axis_);
  return flatten(x, start_axis_);
}

nlohmann::json Flatten::to_json() const {
  return {{"type", type_name()}, {"start_axis", start_axis_}};
}

}  // namespace dither
