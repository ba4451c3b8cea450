#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "optim/rmsprop.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::expect_close;
using testing::parameter;
using testing::set_gradient;

// torch.optim.RMSprop's update in double.
struct RmspropReference {
  RmspropOptions o;
  std::vector<double> p;
  std::vector<double> s = std::vector<double>(p.size(), 0.0);
  std::vector<double> a = std::vector<double>(p.size(), 0.0);
  std::vector<double> b = std::vector<double>(p.size(), 0.0);

  void step(const std::vector<double>& grad) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      const double g = grad[i] + o.weight_decay * p[i];
      s[i] = o.alpha * s[i] + (1.0 - o.alpha) * g * g;
      a[i] = o.alpha * a[i] + (1.0 - o.alpha) * g;
      const double d = std::sqrt(o.centered ? s[i] - a[i] * a[i] : s[i]) + o.eps;
      if (o.momentum > 0.0) {
        b[i] = o.momentum * b[i] + g / d;
        p[i] -= o.lr * b[i];
      } else {
        p[i] -= o.lr * g / d;
      }
    }
  }
};

void expect_matches_reference(const RmspropOptions& options) {
  Tensor p = parameter({1.0f, -0.5f, 2.0f});
  Rmsprop opt({p}, options);
  RmspropReference ref{options, {1.0, -0.5, 2.0}};
  for (const auto& g : std::vector<std::vector<float>>{
           {0.5f, -2.0f, 1.0f}, {0.25f, 1.0f, -3.0f}, {-0.75f, 0.5f, 0.125f}}) {
    set_gradient(p, g);
    opt.step();
    ref.step({g.begin(), g.end()});
    expect_close(p, ref.p, 1e-5);
  }
}

TEST(RmspropTest, OneStepDividesByTheRootOfTheSquaredAverage) {
  // s = (1 - alpha) g^2, so the step is lr * g / (sqrt(1 - alpha) |g| + eps).
  Tensor p = parameter({1.0f});
  Rmsprop opt({p}, {.lr = 0.01});
  set_gradient(p, {2.0f});
  opt.step();
  expect_close(p, {1.0 - 0.01 * 2.0 / (std::sqrt(0.01) * 2.0 + 1e-8)});
}

TEST(RmspropTest, ThreePlainStepsMatchTheFormula) {
  expect_matches_reference({.lr = 0.01});
  expect_matches_reference({.lr = 0.01, .alpha = 0.9, .eps = 1e-3});
}

TEST(RmspropTest, ThreeStepsWithMomentumMatchTheFormula) {
  expect_matches_reference({.lr = 0.01, .momentum = 0.9});
}

TEST(RmspropTest, ThreeCenteredStepsMatchTheFormula) {
  expect_matches_reference({.lr = 0.01, .alpha = 0.9, .centered = true});
  expect_matches_reference({.lr = 0.01, .alpha = 0.9, .momentum = 0.5, .centered = true});
}

TEST(RmspropTest, WeightDecayIsAddedToTheGradient) {
  expect_matches_reference({.lr = 0.01, .weight_decay = 0.1});
  expect_matches_reference({.lr = 0.01, .weight_decay = 0.1, .momentum = 0.9, .centered = true});
}

TEST(RmspropTest, StateSlotsFollowTheOptions) {
  Tensor p = parameter({1.0f});
  Rmsprop opt({p}, {.momentum = 0.9, .centered = true});
  set_gradient(p, {1.0f});
  opt.step();
  const OptimizerState s = opt.state();
  ASSERT_EQ(s.tensors.size(), 3u);
  EXPECT_EQ(s.tensors[0].first, "0.square_avg");
  EXPECT_EQ(s.tensors[1].first, "0.momentum_buffer");
  EXPECT_EQ(s.tensors[2].first, "0.grad_avg");
  Rmsprop plain({p}, {});
  set_gradient(p, {1.0f});
  plain.step();
  EXPECT_EQ(plain.state().tensors.size(), 1u);
}

TEST(RmspropTest, ParameterWithoutGradIsSkipped) {
  Tensor a = parameter({1.0f});
  Tensor b = parameter({2.0f});
  Rmsprop opt({a, b}, {});
  set_gradient(a, {1.0f});
  opt.step();
  EXPECT_EQ(b.item(), 2.0f);
  EXPECT_NE(a.item(), 1.0f);
  EXPECT_EQ(opt.state().tensors.size(), 1u);
}

TEST(RmspropTest, ResumeFromSavedStateIsBitwise) {
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<Rmsprop>(std::move(params),
                                     RmspropOptions{.momentum = 0.9, .centered = true});
  });
}

TEST(RmspropTest, ConstructorRejectsBadOptions) {
  std::vector<Tensor> params = {parameter({1.0f})};
  try {
    Rmsprop(params, {.alpha = 1.5});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "rmsprop: alpha must be in [0, 1), got 1.5");
  }
  EXPECT_THROW(Rmsprop(params, {.lr = -0.1}), ConfigError);
  EXPECT_THROW(Rmsprop(params, {.momentum = -0.1}), ConfigError);
  EXPECT_THROW(Rmsprop(params, {.eps = -1.0}), ConfigError);
}

}  // namespace
}  // namespace dither
