#include "train/corruptions/corruption.h"

namespace dither {

bool severity_zero(int severity, const char* corruption) {
  check(severity >= 0 && severity <= kMaxSeverity, corruption, ": severity ", severity,
        " is not in 0..", kMaxSeverity);
  return severity == 0;
}

float severity_value(const SeverityTable& table, int severity) {
  return table[static_cast<std::size_t>(severity - 1)];
}

void require_images(const Tensor& images, const char* corruption) {
  check_shape(images.dim() == 4, corruption, ": needs images [B, C, H, W], got ", images.shape());
}

}  // namespace dither
