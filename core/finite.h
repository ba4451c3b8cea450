#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "core/tensor.h"

namespace dither {

/// The first NaN or Inf among the `n` floats at `p`, or null. A float is non-finite exactly when
/// its exponent bits are all set; an integer OR-reduction of that test vectorises, where a float
/// loop would not.
inline const float* first_non_finite(const float* p, std::int64_t n) {
  std::uint32_t non_finite = 0;
  for (std::int64_t i = 0; i < n; ++i)
    non_finite |= (std::bit_cast<std::uint32_t>(p[i]) & 0x7f800000u) == 0x7f800000u;
  if (non_finite == 0) return nullptr;
  return std::find_if(p, p + n, [](float v) { return !std::isfinite(v); });
}

/// The first NaN or Inf of a tensor's elements, or null.
inline const float* first_non_finite(const Tensor& t) {
  return first_non_finite(t.ptr(), t.numel());
}

}  // namespace dither
