#include "core/batch.h"

#include "core/error.h"

namespace dither {

Tensor soft_targets(const Tensor& targets, std::int64_t num_classes) {
  if (targets.dim() == 2) {
    check_shape(targets.size(1) == num_classes, "soft_targets: rows of ", targets.shape(), " for ",
                num_classes, " classes");
    return targets;
  }
  check_shape(targets.dim() == 1, "soft_targets: class ids must be [B], got ", targets.shape());
  const std::int64_t b = targets.size(0);
  Tensor out = Tensor::zeros({b, num_classes});
  const float* ids = targets.ptr();
  float* o = out.ptr();
  for (std::int64_t i = 0; i < b; ++i) {
    const auto k = static_cast<std::int64_t>(ids[i]);
    check(k >= 0 && k < num_classes, "soft_targets: class id ", k, " outside [0, ", num_classes,
          ")");
    o[i * num_classes + k] = 1.0f;
  }
  return out;
}

}  // namespace dither
