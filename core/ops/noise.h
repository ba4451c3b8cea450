#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"

namespace dither {

/// y = x * scale + shift, where scale and shift are constant noise (masks, multiplicative or
/// additive draws) that broadcast to x's shape; either may be undefined (meaning 1 and 0), not
/// both. The noise is data, not part of the graph: dy/dx = scale, and no gradient reaches it.
Tensor apply_noise(const Tensor& x, const Tensor& scale, const Tensor& shift);

/// y[i] = x[i] * (keep[i] ? scale : 0), with keep a 0/1 byte per element of x (a renormalised
/// mask such as DropBlock's, at a quarter of a float mask's memory traffic). The mask is a
/// constant: dy/dx = keep * scale.
Tensor apply_keep_mask(const Tensor& x, std::shared_ptr<const std::vector<std::uint8_t>> keep,
                       float scale);

/// Element i is `value` when stream.bernoulli(i, keep), else 0: a mask of `shape`.
Tensor bernoulli_mask(const Shape& shape, double keep, float value, const RandomStream& stream);

/// Inverted dropout: x * m / (1 - p), m ~ Bernoulli(1 - p) drawn with `mask_shape` (which must
/// broadcast to x's shape; e.g. [N, C, 1, 1] drops whole channels). p = 1 gives zeros.
Tensor dropout(const Tensor& x, double p, const RandomStream& stream, const Shape& mask_shape);

/// Returns p when it is a valid drop probability, in [0, 1] or [0, 1) when `allow_one` is false;
/// otherwise throws ConfigError naming `layer`.
double check_drop_probability(std::string_view layer, double p, bool allow_one = true);

}  // namespace dither
