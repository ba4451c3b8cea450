#include "train/corruptions/digital.h"

#include <stb/stb_image_resize.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "augment/boxes.h"

namespace dither {
namespace {

constexpr SeverityTable kBrightness = {0.05f, 0.1f, 0.15f, 0.2f, 0.3f};
constexpr SeverityTable kContrast = {0.75f, 0.5f, 0.4f, 0.3f, 0.15f};
constexpr SeverityTable kPixelate = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f};

// One H x W float plane resized to w x h with stb's box filter and clamped edges.
void box_resize(const float* in, int in_w, int in_h, float* out, int out_w, int out_h) {
  const int ok = stbir_resize_float_generic(in, in_w, in_h, 0, out, out_w, out_h, 0, 1,
                                            STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP,
                                            STBIR_FILTER_BOX, STBIR_COLORSPACE_LINEAR, nullptr);
  check(ok == 1, "pixelate: stb_image_resize failed");
}

}  // namespace

Tensor brightness(const Tensor& images, int severity, const RandomStream&, ValueRange range) {
  require_images(images, "brightness");
  if (severity_zero(severity, "brightness")) return images.clone();
  const float shift = severity_value(kBrightness, severity) * (range.high - range.low);
  return map_planes(images, [&](std::int64_t, const float* in, float* out) {
    const std::int64_t n = images.size(2) * images.size(3);
    for (std::int64_t i = 0; i < n; ++i) out[i] = clamp_to(in[i] + shift, range);
  });
}

Tensor contrast(const Tensor& images, int severity, const RandomStream&, ValueRange range) {
  require_images(images, "contrast");
  if (severity_zero(severity, "contrast")) return images.clone();
  const float c = severity_value(kContrast, severity);
  const std::int64_t n = images.size(2) * images.size(3);
  return map_planes(images, [&](std::int64_t, const float* in, float* out) {
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) sum += in[i];
    const auto mean = static_cast<float>(sum / static_cast<double>(n));
    for (std::int64_t i = 0; i < n; ++i) out[i] = clamp_to((in[i] - mean) * c + mean, range);
  });
}

Tensor pixelate(const Tensor& images, int severity, const RandomStream&, ValueRange range) {
  require_images(images, "pixelate");
  if (severity_zero(severity, "pixelate")) return images.clone();
  const double c = severity_value(kPixelate, severity);
  const auto h = static_cast<int>(images.size(2));
  const auto w = static_cast<int>(images.size(3));
  const int small_h = std::max(1, static_cast<int>(std::floor(h * c)));
  const int small_w = std::max(1, static_cast<int>(std::floor(w * c)));
  return map_planes(images, [&](std::int64_t, const float* in, float* out) {
    std::vector<float> small(static_cast<std::size_t>(small_h * small_w));
    box_resize(in, w, h, small.data(), small_w, small_h);
    box_resize(small.data(), small_w, small_h, out, w, h);
    for (int i = 0; i < h * w; ++i) out[i] = clamp_to(out[i], range);
  });
}

Tensor occlusion(const Tensor& images, int severity, const RandomStream& stream, ValueRange range) {
  require_images(images, "occlusion");
  if (severity_zero(severity, "occlusion")) return images.clone();
  const std::int64_t h = images.size(2);
  const std::int64_t w = images.size(3);
  const std::int64_t side = std::max<std::int64_t>(1, std::llround(std::min(h, w) / 4.0));
  std::vector<Box> boxes;
  for (std::int64_t b = 0; b < images.size(0); ++b) {
    for (std::int64_t k = 0; k < severity; ++k) {
      const auto draw = static_cast<std::uint64_t>(2 * (b * kMaxSeverity + k));
      const std::int64_t cy = stream.integer(draw, h);
      const std::int64_t cx = stream.integer(draw + 1, w);
      const std::int64_t top = std::max<std::int64_t>(0, cy - side / 2);
      const std::int64_t left = std::max<std::int64_t>(0, cx - side / 2);
      boxes.push_back({top, left, std::min(h, cy - side / 2 + side) - top,
                       std::min(w, cx - side / 2 + side) - left});
    }
  }
  return fill_boxes(images, boxes, severity,
                    [&](std::int64_t, std::int64_t, std::uint64_t) { return range.low; });
}

}  // namespace dither
