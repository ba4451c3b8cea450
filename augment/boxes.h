#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "augment/hook.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {

/// Rows [top, top + height) and columns [left, left + width) of an image's H x W grid; a box
/// with no height or width covers nothing.
struct Box {
  std::int64_t top = 0;
  std::int64_t left = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;
  std::int64_t area() const { return height * width; }
};

/// A copy of images x [B, C, H, W] where every element inside one of sample b's boxes
/// boxes[b * per_sample .. (b + 1) * per_sample) is replaced, in every channel, by
/// fill(b, c, i), i being the element's flat index in x. Boxes must lie inside the image.
/// Planes run in parallel; a pure `fill` gives the same result at any thread count.
template <class Fill>
Tensor fill_boxes(const Tensor& x, std::span<const Box> boxes, std::int64_t per_sample,
                  const Fill& fill) {
  check_shape(x.dim() == 4 && static_cast<std::int64_t>(boxes.size()) == x.size(0) * per_sample,
              "fill_boxes: needs images [B, C, H, W] and ", per_sample,
              " boxes per sample, got inputs ", x.shape(), " and ", boxes.size(), " boxes");
  const std::int64_t channels = x.size(1);
  const std::int64_t h = x.size(2);
  const std::int64_t w = x.size(3);
  const std::int64_t plane = h * w;
  Tensor out = Tensor::empty(x.shape());
  const float* in = x.ptr();
  float* o = out.ptr();
  parallel_for(
      x.size(0) * channels,
      [&](std::int64_t p0, std::int64_t p1) {
        std::copy(in + p0 * plane, in + p1 * plane, o + p0 * plane);
        for (std::int64_t p = p0; p < p1; ++p) {
          const std::int64_t b = p / channels;
          for (const Box& box : boxes.subspan(static_cast<std::size_t>(b * per_sample),
                                              static_cast<std::size_t>(per_sample))) {
            for (std::int64_t y = box.top; y < box.top + box.height; ++y) {
              for (std::int64_t i = p * plane + y * w + box.left;
                   i < p * plane + y * w + box.left + box.width; ++i) {
                o[i] = fill(b, p % channels, static_cast<std::uint64_t>(i));
              }
            }
          }
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, plane)));
  return out;
}

/// Throws ConfigError naming setup.path unless the inputs are images [C, H, W]: `technique`
/// erases regions of an image. The message suggests what to use for the data at hand.
void require_image_inputs(const HookSetup& setup, const char* technique);

}  // namespace dither
