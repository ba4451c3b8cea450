#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace dither {

/// The first NaN or Inf among the `n` floats at `p`, or null.
const float* first_non_finite(const float* p, std::int64_t n);

/// The first NaN or Inf of a tensor's elements, or null.
inline const float* first_non_finite(const Tensor& t) {
  return first_non_finite(t.ptr(), t.numel());
}

}  // namespace dither
