#include "train/corruptions/jpeg.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

namespace dither {
namespace {

constexpr SeverityTable kQuality = {25.0f, 18.0f, 15.0f, 10.0f, 7.0f};

constexpr std::array<float, 64> kLuminance = {
    16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
    14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
    18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};

// FFTW's 8 x 8 plans, made once (planning is not thread-safe; executing a plan on other arrays
// with fftwf_execute_r2r is). Unaligned, so any block buffer will do.
struct DctPlans {
  fftwf_plan forward;
  fftwf_plan inverse;
};

const DctPlans& dct_plans() {
  static const DctPlans plans = [] {
    std::array<float, 64> a{};
    std::array<float, 64> b{};
    const unsigned flags = FFTW_ESTIMATE | FFTW_UNALIGNED;
    return DctPlans{fftwf_plan_r2r_2d(8, 8, a.data(), b.data(), FFTW_REDFT10, FFTW_REDFT10, flags),
                    fftwf_plan_r2r_2d(8, 8, a.data(), b.data(), FFTW_REDFT01, FFTW_REDFT01, flags)};
  }();
  return plans;
}

// REDFT10 gives 4 sum f cos cos; JPEG's F(u, v) is C(u) C(v) / 16 of that, C(0) = 1/sqrt(2),
// else 1. REDFT01 weighs coefficient k by w(k) = 1 (k = 0) or 2, so the inverse takes
// Z = a(u) a(v) F / 4 with a(k) = C(k) / w(k).
double forward_scale(int u) { return u == 0 ? 1.0 / std::sqrt(2.0) : 1.0; }
double inverse_scale(int u) { return u == 0 ? 1.0 / std::sqrt(2.0) : 0.5; }

}  // namespace

std::array<float, 64> jpeg_luminance_table(int quality) {
  check(quality >= 1 && quality <= 100, "jpeg: quality ", quality, " is not in 1..100");
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  std::array<float, 64> table{};
  for (std::size_t i = 0; i < 64; ++i) {
    table[i] = std::clamp(std::floor((kLuminance[i] * static_cast<float>(scale) + 50.0f) / 100.0f),
                          1.0f, 255.0f);
  }
  return table;
}

Tensor jpeg_quantise(const Tensor& images, int severity, const RandomStream&, ValueRange range) {
  require_images(images, "jpeg");
  if (severity_zero(severity, "jpeg")) return images.clone();
  const std::array<float, 64> q =
      jpeg_luminance_table(static_cast<int>(severity_value(kQuality, severity)));
  const DctPlans& plans = dct_plans();
  const std::int64_t h = images.size(2);
  const std::int64_t w = images.size(3);
  const float span = range.high - range.low;
  return map_planes(images, [&](std::int64_t, const float* in, float* out) {
    std::array<float, 64> block{};
    std::array<float, 64> coef{};
    for (std::int64_t by = 0; by < h; by += 8) {
      for (std::int64_t bx = 0; bx < w; bx += 8) {
        for (int y = 0; y < 8; ++y) {
          for (int x = 0; x < 8; ++x) {
            const std::int64_t sy = std::min(by + y, h - 1);
            const std::int64_t sx = std::min(bx + x, w - 1);
            block[static_cast<std::size_t>(y * 8 + x)] =
                std::round((in[sy * w + sx] - range.low) / span * 255.0f) - 128.0f;
          }
        }
        fftwf_execute_r2r(plans.forward, block.data(), coef.data());
        for (int u = 0; u < 8; ++u) {
          for (int v = 0; v < 8; ++v) {
            const auto k = static_cast<std::size_t>(u * 8 + v);
            const double f = coef[k] * forward_scale(u) * forward_scale(v) / 16.0;
            const double quantised = std::round(f / q[k]) * q[k];
            coef[k] = static_cast<float>(quantised * inverse_scale(u) * inverse_scale(v) / 4.0);
          }
        }
        fftwf_execute_r2r(plans.inverse, coef.data(), block.data());
        for (int y = 0; y < 8 && by + y < h; ++y) {
          for (int x = 0; x < 8 && bx + x < w; ++x) {
            const float pixel = std::clamp(
                std::round(block[static_cast<std::size_t>(y * 8 + x)] + 128.0f), 0.0f, 255.0f);
            out[(by + y) * w + bx + x] = clamp_to(range.low + pixel / 255.0f * span, range);
          }
        }
      }
    }
  });
}

}  // namespace dither
