#include <gtest/gtest.h>

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

TEST(AdamWTest, DefaultsAreTorchs) {
  const AdamWOptions o;
  EXPECT_EQ(o.weight_decay, 0.01);
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(AdamOptions{}.weight_decay, 0.0);
  AdamW opt({parameter({1.0f})});
  EXPECT_EQ(opt.type(), "adamw");
  EXPECT_EQ(opt.to_json()["weight_decay"], 0.01);
}

TEST(AdamWTest, ZeroGradientOnlyShrinksTheWeights) {
  // With g = 0 the moments stay 0, so each step is p *= 1 - lr * weight_decay exactly.
  Tensor p = parameter({2.0f, -4.0f});
  AdamW opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  for (int s = 0; s < 3; ++s) {
    set_gradient(p, {0.0f, 0.0f});
    opt.step();
  }
  const double shrink = std::pow(1.0 - 0.1 * 0.5, 3);
  expect_close(p, {2.0 * shrink, -4.0 * shrink});
}

TEST(AdamWTest, OneStepDecaysThenTakesTheAdamStep) {
  Tensor p = parameter({1.0f});
  AdamW opt({p}, {.lr = 0.1, .weight_decay = 0.2});
  set_gradient(p, {-2.0f});
  opt.step();
  expect_close(p, {1.0 * (1.0 - 0.1 * 0.2) + 0.1 * 2.0 / (2.0 + 1e-8)});
}

TEST(AdamWTest, ThreeStepsMatchTheFormulaAndDifferFromAdamsL2) {
  const AdamWOptions options{.lr = 0.05, .weight_decay = 0.3, .amsgrad = true};
  Tensor p = parameter({1.0f, -2.0f});
  Tensor q = parameter({1.0f, -2.0f});
  AdamW opt({p}, options);
  Adam l2({q}, {.lr = 0.05, .weight_decay = 0.3, .amsgrad = true});
  AdamReference<true> ref{options, {1.0, -2.0}};
  for (const auto& g :
       std::vector<std::vector<float>>{{1.0f, 0.5f}, {-0.5f, 2.0f}, {0.25f, -1.0f}}) {
    set_gradient(p, g);
    set_gradient(q, g);
    opt.step();
    l2.step();
    ref.step({g.begin(), g.end()});
    expect_close(p, ref.p);
  }
  EXPECT_GT(std::abs(p.data()[1] - q.data()[1]), 1e-3);
}

TEST(AdamWTest, ResumeFromSavedStateIsBitwise) {
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<AdamW>(std::move(params), AdamWOptions{.lr = 0.1});
  });
}

TEST(AdamWTest, ConstructorRejectsBadOptions) {
  std::vector<Tensor> params = {parameter({1.0f})};
  try {
    AdamW(params, {.weight_decay = -0.01});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "adamw: weight_decay must be >= 0, got -0.01");
  }
}

}  // namespace
}  // namespace dither
