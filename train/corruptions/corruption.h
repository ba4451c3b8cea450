#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "core/error.h"
#include "core/parallel.h"
#include "core/tensor.h"
#include "train/data/dataset.h"

namespace dither {

/// Severities run 0 (the identity) to 5, as in CIFAR-10-C.
inline constexpr int kMaxSeverity = 5;

/// A corruption's constant at severities 1..5.
using SeverityTable = std::array<float, kMaxSeverity>;

/// Throws Error unless 0 <= severity <= 5; true at 0, where every corruption is the identity.
bool severity_zero(int severity, const char* corruption);

/// table[severity - 1] for severity 1..5.
float severity_value(const SeverityTable& table, int severity);

/// Throws ShapeError unless `images` is [B, C, H, W].
void require_images(const Tensor& images, const char* corruption);

/// A new tensor of images' shape whose plane p (of the B * C planes H x W) is written by
/// fn(p, in, out) with in and out that plane's H * W values; planes run in parallel.
template <class Fn>
Tensor map_planes(const Tensor& images, const Fn& fn) {
  const std::int64_t plane = images.size(2) * images.size(3);
  const std::int64_t planes = images.size(0) * images.size(1);
  Tensor out = Tensor::empty(images.shape());
  const float* in = images.ptr();
  float* o = out.ptr();
  parallel_for(
      planes,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t p = p0; p < p1; ++p) fn(p, in + p * plane, o + p * plane);
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, plane)));
  return out;
}

/// Variable-length inputs as Batch carries them: tokens [B, L] (floats holding ids) or sequences
/// [B, T, F], and each sample's valid steps `lengths` ([B] floats holding integers; undefined:
/// every sample is full). Past its length a sample holds padding.
struct Padded {
  Tensor inputs;
  Tensor lengths;
};

/// A new Padded of x's shape whose sample b is written by fn(b, in, length, out) -> new length,
/// with in and out that sample's L * F values (F = 1 for tokens) and out prefilled with
/// `padding`; the new length must lie in [0, L], and out stays `padding` past it. Samples run in
/// parallel. Throws ShapeError naming `who` when x is not [B, L] or [B, T, F] with lengths that
/// fit it.
Padded map_padded(const Padded& x, float padding, const char* who,
                  const std::function<std::int64_t(std::int64_t, std::span<const float>,
                                                   std::int64_t, std::span<float>)>& fn);

/// Clamps v to the range.
inline float clamp_to(float v, ValueRange range) {
  return v < range.low ? range.low : (v > range.high ? range.high : v);
}

}  // namespace dither
