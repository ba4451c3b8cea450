#include "train/corruptions/corruption.h"

#include <algorithm>

#include "core/lengths.h"

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

Padded map_padded(const Padded& x, float padding, const char* who,
                  const std::function<std::int64_t(std::int64_t, std::span<const float>,
                                                   std::int64_t, std::span<float>)>& fn) {
  check_shape(x.inputs.dim() == 2 || x.inputs.dim() == 3, who,
              ": needs tokens [B, L] or sequences [B, T, F], got ", x.inputs.shape());
  const std::int64_t batch = x.inputs.size(0);
  const std::int64_t steps = x.inputs.size(1);
  const std::int64_t per = x.inputs.numel() / std::max<std::int64_t>(1, batch);
  const std::int64_t features = per / std::max<std::int64_t>(1, steps);
  const std::vector<std::int64_t> lengths = valid_steps(x.lengths, batch, steps, who);
  Padded out{Tensor::full(x.inputs.shape(), padding), Tensor::empty({batch})};
  const float* in = x.inputs.ptr();
  float* o = out.inputs.ptr();
  float* n = out.lengths.ptr();
  parallel_for(
      batch,
      [&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
          const std::span<float> row(o + b * per, static_cast<std::size_t>(per));
          const std::int64_t length =
              fn(b, std::span<const float>(in + b * per, static_cast<std::size_t>(per)),
                 lengths[static_cast<std::size_t>(b)], row);
          check(length >= 0 && length <= steps, who, ": sample ", b, " got length ", length);
          std::fill(row.begin() + length * features, row.end(), padding);
          n[b] = static_cast<float>(length);
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, per)));
  return out;
}

}  // namespace dither
