#include "train/corruptions/geometry.h"

#include <cmath>
#include <numbers>
#include <vector>

namespace dither {
namespace {

constexpr SeverityTable kDegrees = {3.0f, 6.0f, 9.0f, 12.0f, 15.0f};
constexpr SeverityTable kPixels = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};

// Bilinear read of plane `in` (h x w) at (y, x); beyond the border the value is `fill`.
float bilinear(const float* in, std::int64_t h, std::int64_t w, double y, double x, float fill) {
  const double y0 = std::floor(y);
  const double x0 = std::floor(x);
  const double fy = y - y0;
  const double fx = x - x0;
  auto at = [&](double yy, double xx) -> double {
    if (yy < 0 || xx < 0 || yy > static_cast<double>(h - 1) || xx > static_cast<double>(w - 1))
      return fill;
    return in[static_cast<std::int64_t>(yy) * w + static_cast<std::int64_t>(xx)];
  };
  return static_cast<float>((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
                            fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1)));
}

// out(p) = in(a p + t) for every output pixel p, with the image's affine map.
Tensor resample(const Tensor& images, float fill, const std::vector<Affine>& maps) {
  const std::int64_t h = images.size(2);
  const std::int64_t w = images.size(3);
  const std::int64_t channels = images.size(1);
  return map_planes(images, [&](std::int64_t p, const float* in, float* out) {
    const Affine& m = maps[static_cast<std::size_t>(p / channels)];
    for (std::int64_t y = 0; y < h; ++y) {
      for (std::int64_t x = 0; x < w; ++x) {
        const auto dy = static_cast<double>(y);
        const auto dx = static_cast<double>(x);
        out[y * w + x] = bilinear(in, h, w, m.a[0][0] * dy + m.a[0][1] * dx + m.t[0],
                                  m.a[1][0] * dy + m.a[1][1] * dx + m.t[1], fill);
      }
    }
  });
}

}  // namespace

Tensor rotate(const Tensor& images, int severity, const RandomStream& stream, ValueRange range) {
  require_images(images, "rotate");
  if (severity_zero(severity, "rotate")) return images.clone();
  const double degrees = severity_value(kDegrees, severity);
  const double cy = static_cast<double>(images.size(2) - 1) / 2.0;
  const double cx = static_cast<double>(images.size(3) - 1) / 2.0;
  std::vector<Affine> maps;
  for (std::int64_t b = 0; b < images.size(0); ++b) {
    const double sign = stream.bernoulli(static_cast<std::uint64_t>(b), 0.5) ? 1.0 : -1.0;
    const double t = sign * degrees * std::numbers::pi / 180.0;
    // The source of p is the centre plus R(-t) (p - centre).
    const double c = std::cos(t);
    const double s = std::sin(t);
    maps.push_back({{{c, s}, {-s, c}}, {cy - c * cy - s * cx, cx + s * cy - c * cx}});
  }
  return resample(images, range.low, maps);
}

Tensor translate(const Tensor& images, int severity, const RandomStream& stream, ValueRange range) {
  require_images(images, "translate");
  if (severity_zero(severity, "translate")) return images.clone();
  const double pixels = severity_value(kPixels, severity);
  std::vector<Affine> maps;
  for (std::int64_t b = 0; b < images.size(0); ++b) {
    const double angle = 2.0 * std::numbers::pi * stream.uniform(static_cast<std::uint64_t>(b));
    maps.push_back({{{1, 0}, {0, 1}}, {-pixels * std::sin(angle), -pixels * std::cos(angle)}});
  }
  return resample(images, range.low, maps);
}

}  // namespace dither
