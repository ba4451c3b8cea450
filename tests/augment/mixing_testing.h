#pragma once

// Measurements shared by the mixing hooks' tests (Mixup, CutMix, Manifold Mixup).

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace dither::testing {

/// Mean and (population) variance of `values`.
struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

inline Moments moments(const std::vector<double>& values) {
  Moments m;
  for (double v : values) m.mean += v;
  m.mean /= static_cast<double>(values.size());
  for (double v : values) m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= static_cast<double>(values.size());
  return m;
}

/// Mean and variance of Beta(a, a): 1/2 and 1 / (4 (2a + 1)).
inline Moments beta_moments(double a) { return {0.5, 1.0 / (4.0 * (2.0 * a + 1.0))}; }

/// Whether every row of soft targets [B, K] is >= 0 and sums to 1 within `tolerance`.
inline bool rows_are_distributions(const Tensor& t, double tolerance = 1e-5) {
  if (t.dim() != 2) return false;
  const std::int64_t k = t.size(1);
  for (std::int64_t i = 0; i < t.size(0); ++i) {
    double total = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
      if (t.ptr()[i * k + j] < 0.0f) return false;
      total += t.ptr()[i * k + j];
    }
    if (std::abs(total - 1.0) > tolerance) return false;
  }
  return true;
}

}  // namespace dither::testing
