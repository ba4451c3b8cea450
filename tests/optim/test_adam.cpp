#include <gtest/gtest.h>

#include <cmath>

#include "adam_reference.h"
#include "core/error.h"
#include "optim/adam.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::AdamReference;
using testing::expect_close;
using testing::parameter;
using testing::set_gradient;

const std::vector<std::vector<float>> kGrads = {
    {0.5f, -2.0f, 1.0f}, {0.25f, 1.0f, -3.0f}, {-0.75f, 0.5f, 0.125f}};

std::vector<double> as_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

Tensor run_three_steps(const AdamOptions& options) {
  Tensor p = parameter({1.0f, -0.5f, 2.0f});
  Adam opt({p}, options);
  AdamReference<false> ref{options, as_double(p.to_vector())};
  for (const auto& g : kGrads) {
    set_gradient(p, g);
    opt.step();
    ref.step(as_double(g));
    expect_close(p, ref.p);
  }
  return p;
}

TEST(AdamTest, FirstStepMovesEachWeightByLrAgainstTheGradientSign) {
  // m_hat = g and v_hat = g^2 after one step, so the update is lr * g / (|g| + eps).
  Tensor p = parameter({1.0f, -1.0f});
  Adam opt({p}, {.lr = 0.01});
  set_gradient(p, {3.0f, -0.5f});
  opt.step();
  expect_close(p, {1.0 - 0.01 * 3.0 / (3.0 + 1e-8), -1.0 + 0.01 * 0.5 / (0.5 + 1e-8)});
}

TEST(AdamTest, ThreeStepsMatchTheFormula) {
  run_three_steps({.lr = 0.1});
  run_three_steps({.lr = 0.05, .beta1 = 0.5, .beta2 = 0.9, .eps = 1e-3});
}

TEST(AdamTest, WeightDecayIsAddedToTheGradient) {
  const Tensor plain = run_three_steps({.lr = 0.1});
  const Tensor decayed = run_three_steps({.lr = 0.1, .weight_decay = 0.5});
  EXPECT_FALSE(testing::bitwise_equal(plain, decayed));
}

TEST(AdamTest, AmsgradDividesByTheLargestSecondMoment) {
  // With beta2 = 0.5 the second moment falls after the large first gradient; amsgrad keeps it.
  const AdamOptions options{.lr = 0.1, .beta2 = 0.5, .amsgrad = true};
  Tensor p = parameter({1.0f});
  Adam opt({p}, options);
  AdamReference<false> ref{options, {1.0}};
  AdamReference<false> plain{{.lr = 0.1, .beta2 = 0.5}, {1.0}};
  for (float g : {2.0f, 0.1f, 0.1f}) {
    set_gradient(p, {g});
    opt.step();
    ref.step({g});
    plain.step({g});
  }
  expect_close(p, ref.p);
  EXPECT_GT(std::abs(ref.p[0] - plain.p[0]), 1e-3);
  const OptimizerState state = opt.state();
  ASSERT_EQ(state.tensors.size(), 3u);
  EXPECT_EQ(state.tensors[2].first, "0.max_exp_avg_sq");
  EXPECT_NEAR(state.tensors[2].second.item(), ref.v_max[0], 1e-6);
}

TEST(AdamTest, StateIsIndexedPerParameterAndCountsStepsPerParameter) {
  Tensor a = parameter({1.0f});
  Tensor b = parameter({2.0f, 3.0f});
  Adam opt({a, b}, {.lr = 0.1});
  set_gradient(a, {1.0f});
  opt.step();  // b has no gradient: skipped, no state
  EXPECT_EQ(b.to_vector(), std::vector<float>({2.0f, 3.0f}));
  set_gradient(b, {0.5f, -0.5f});
  opt.step();
  const OptimizerState s = opt.state();
  EXPECT_EQ(s.scalars["steps"], nlohmann::json({2, 1}));
  ASSERT_EQ(s.tensors.size(), 4u);
  EXPECT_EQ(s.tensors[2].first, "1.exp_avg");
  EXPECT_EQ(s.tensors[3].first, "1.exp_avg_sq");
  // b's first update uses bias corrections of step 1, whatever a's count is.
  expect_close(b, {2.0 - 0.1, 3.0 + 0.1});
  expect_close(s.tensors[2].second, {0.1 * 0.5, 0.1 * -0.5});
}

TEST(AdamTest, ResumeFromSavedStateIsBitwise) {
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = 0.1});
  });
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<Adam>(std::move(params),
                                  AdamOptions{.lr = 0.1, .weight_decay = 0.1, .amsgrad = true});
  });
}

TEST(AdamTest, ConstructorRejectsBadOptions) {
  std::vector<Tensor> params = {parameter({1.0f})};
  try {
    Adam(params, {.beta1 = 1.0});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "adam: beta1 must be in [0, 1), got 1");
  }
  EXPECT_THROW(Adam(params, {.lr = -1.0}), ConfigError);
  EXPECT_THROW(Adam(params, {.beta2 = -0.1}), ConfigError);
  EXPECT_THROW(Adam(params, {.eps = -1e-8}), ConfigError);
  EXPECT_THROW(Adam(params, {.weight_decay = -1.0}), ConfigError);
}

}  // namespace
}  // namespace dither
