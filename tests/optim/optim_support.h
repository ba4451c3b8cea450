#pragma once

// Shared helpers of the optim tests: small parameters with hand-set gradients, element-wise
// comparison against expectations computed in double, and the save/load/resume check every
// optimiser must pass.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "optim/optimizer.h"

namespace dither::testing {

/// A 1-D leaf that requires grad.
inline Tensor parameter(const std::vector<float>& values) {
  Tensor t = Tensor::from(values, {static_cast<std::int64_t>(values.size())});
  t.set_requires_grad(true);
  return t;
}

inline void set_gradient(Tensor& p, const std::vector<float>& values) {
  p.set_grad(Tensor::from(values, p.shape()));
}

/// Every element within `rel` (relative, floor 1) of the double-precision expectation.
inline void expect_close(const Tensor& actual, const std::vector<double>& expected,
                         double rel = 2e-6) {
  ASSERT_EQ(actual.numel(), static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual.data()[i], expected[i], rel * std::max(1.0, std::abs(expected[i])))
        << "element " << i;
  }
}

inline bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.ptr(), b.ptr(), static_cast<std::size_t>(a.numel()) * sizeof(float)) == 0;
}

using OptimizerFactory = std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>;

/// Gradient of step `s` for parameter `k`: varied in sign and size so every state slot moves.
inline std::vector<float> varied_gradient(int s, int k, std::size_t n) {
  std::vector<float> g(n);
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = std::sin(0.7f * static_cast<float>(s + 1) + 1.3f * static_cast<float>(i) +
                    2.1f * static_cast<float>(k)) *
           (1.0f + 0.5f * static_cast<float>(s));
  }
  return g;
}

inline std::vector<Tensor> resume_params() {
  return {parameter({0.5f, -1.5f, 2.0f}), parameter({0.25f, -0.75f})};
}

/// Steps [from, to) with varied gradients; parameter 1 gets none on step 1, so skipped
/// parameters' step counts are part of what must survive a save.
inline void run_steps(Optimizer& opt, std::vector<Tensor>& params, int from, int to) {
  for (int s = from; s < to; ++s) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      if (k == 1 && s == 1) {
        params[k].zero_grad();
      } else {
        set_gradient(params[k], varied_gradient(s, static_cast<int>(k),
                                                static_cast<std::size_t>(params[k].numel())));
      }
    }
    opt.step();
  }
}

/// Five uninterrupted steps (the lr halved after the third) equal three steps, the halving,
/// state(), a fresh optimiser on copies of the parameters, load_state() and two more steps:
/// bitwise, lr included.
inline void expect_resume_is_bitwise(const OptimizerFactory& make) {
  auto straight_params = resume_params();
  auto straight = make(straight_params);
  run_steps(*straight, straight_params, 0, 3);
  straight->set_lr(straight->lr() / 2);
  run_steps(*straight, straight_params, 3, 5);

  auto first_params = resume_params();
  auto first = make(first_params);
  run_steps(*first, first_params, 0, 3);
  first->set_lr(first->lr() / 2);
  const OptimizerState saved = first->state();

  std::vector<Tensor> resumed_params;
  for (const auto& p : first_params) {
    Tensor copy = p.clone();
    copy.set_requires_grad(true);
    resumed_params.push_back(copy);
  }
  auto resumed = make(resumed_params);
  resumed->load_state(saved);
  run_steps(*resumed, resumed_params, 3, 5);

  for (std::size_t k = 0; k < straight_params.size(); ++k) {
    EXPECT_TRUE(bitwise_equal(straight_params[k], resumed_params[k])) << "parameter " << k;
  }
  EXPECT_EQ(straight->lr(), resumed->lr());
}

}  // namespace dither::testing
