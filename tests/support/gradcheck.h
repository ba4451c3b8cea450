#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "core/tensor.h"

namespace dither::testing {

struct GradCheckOptions {
  double step = 1e-2;        ///< central-difference step (float32 data)
  double tolerance = 1e-3;   ///< pass if |analytic - numeric| <= tolerance * max(1, |a|, |n|)
  double kink = 0.0;         ///< skip elements with | |x| - kink | <= kink_range
  double kink_range = -1.0;  ///< < 0: skip nothing. Set > step for relu/abs/clamp/max.
  std::uint64_t seed = 1701;
  std::vector<bool> check_inputs = {};  ///< empty: every input; else only the true ones
};

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

/// Compares backward() with central differences of f(inputs) = sum(op(inputs) * R), R a fixed
/// random tensor. Re-seeds default_generator() before every forward, so stochastic ops are
/// checkable. Every input is checked element by element.
::testing::AssertionResult gradcheck(const OpFn& op, std::vector<Tensor> inputs,
                                     const GradCheckOptions& options = {});

/// Uniform values in [low, high) from a named stream: a small deterministic test input.
Tensor random_uniform(const Shape& shape, float low, float high, std::uint64_t seed);

}  // namespace dither::testing
