#pragma once

// Shared by the corruption tests: how far a corruption moved its input.
#include <cmath>
#include <cstdint>

#include "core/tensor.h"

namespace dither::testing {

/// The Euclidean distance between two tensors of the same size, in double.
inline double l2(const Tensor& a, const Tensor& b) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const double d = a.ptr()[i] - b.ptr()[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

}  // namespace dither::testing
