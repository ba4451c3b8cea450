#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "optim/sgd.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::expect_close;
using testing::parameter;
using testing::set_gradient;

// torch.optim.SGD's update in double, one parameter.
struct SgdReference {
  SgdOptions o;
  std::vector<double> p;
  std::vector<double> buf = {};
  int steps = 0;
  void step(const std::vector<double>& grad) {
    if (buf.empty() && o.momentum > 0.0) buf.assign(p.size(), 0.0);
    const bool first = steps++ == 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] + o.weight_decay * p[i];
      if (o.momentum > 0.0) {
        buf[i] = first ? g : o.momentum * buf[i] + (1.0 - o.dampening) * g;
        g = o.nesterov ? g + o.momentum * buf[i] : buf[i];
      }
      p[i] -= o.lr * g;
    }
  }
};

const std::vector<std::vector<float>> kGrads = {
    {0.5f, -0.25f, 2.0f}, {-1.0f, 0.75f, 0.5f}, {0.125f, 1.5f, -0.5f}};

std::vector<double> as_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

// Three steps of Sgd against the double reference, checked after every step.
void expect_matches_reference(const SgdOptions& options) {
  Tensor p = parameter({1.0f, -2.0f, 0.5f});
  Sgd opt({p}, options);
  SgdReference ref{options, as_double(p.to_vector())};
  for (const auto& g : kGrads) {
    set_gradient(p, g);
    opt.step();
    ref.step(as_double(g));
    expect_close(p, ref.p);
  }
}

TEST(SgdTest, OneStepIsParamMinusLrTimesGrad) {
  Tensor p = parameter({1.0f, -2.0f});
  Sgd opt({p}, {.lr = 0.1});
  set_gradient(p, {0.5f, -4.0f});
  opt.step();
  expect_close(p, {1.0 - 0.1 * 0.5, -2.0 + 0.1 * 4.0});
}

TEST(SgdTest, ThreePlainStepsMatchTheFormula) { expect_matches_reference({.lr = 0.05}); }

TEST(SgdTest, MomentumBufferStartsAtTheFirstGradientUndamped) {
  Tensor p = parameter({1.0f});
  Sgd opt({p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.5});
  set_gradient(p, {2.0f});
  opt.step();
  // First step: b = g = 2 (no dampening), p = 1 - 0.1 * 2.
  expect_close(p, {0.8});
  EXPECT_NEAR(opt.state().tensors.at(0).second.item(), 2.0, 1e-7);
  set_gradient(p, {1.0f});
  opt.step();
  // Second step: b = 0.9 * 2 + 0.5 * 1 = 2.3, p = 0.8 - 0.23.
  expect_close(p, {0.8 - 0.1 * 2.3});
}

TEST(SgdTest, ThreeMomentumStepsMatchTheFormula) {
  expect_matches_reference({.lr = 0.1, .momentum = 0.9});
  expect_matches_reference({.lr = 0.1, .momentum = 0.5, .dampening = 0.25});
}

TEST(SgdTest, ThreeNesterovStepsMatchTheFormula) {
  expect_matches_reference({.lr = 0.1, .momentum = 0.9, .nesterov = true});
}

TEST(SgdTest, WeightDecayAddsL2Gradient) {
  Tensor p = parameter({2.0f});
  Sgd opt({p}, {.lr = 0.1, .weight_decay = 0.5});
  set_gradient(p, {1.0f});
  opt.step();
  expect_close(p, {2.0 - 0.1 * (1.0 + 0.5 * 2.0)});
  expect_matches_reference({.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  expect_matches_reference({.lr = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.1});
}

TEST(SgdTest, StateIsIndexedPerParameter) {
  Tensor a = parameter({1.0f, 2.0f});
  Tensor b = parameter({3.0f});
  Sgd opt({a, b}, {.lr = 0.1, .momentum = 0.9});
  set_gradient(a, {0.5f, -0.5f});
  set_gradient(b, {4.0f});
  opt.step();
  const OptimizerState s = opt.state();
  ASSERT_EQ(s.tensors.size(), 2u);
  EXPECT_EQ(s.tensors[0].first, "0.momentum_buffer");
  EXPECT_EQ(s.tensors[1].first, "1.momentum_buffer");
  expect_close(s.tensors[0].second, {0.5, -0.5});
  expect_close(s.tensors[1].second, {4.0});
}

TEST(SgdTest, ParameterWithoutGradIsSkippedAndKeepsItsState) {
  Tensor a = parameter({1.0f});
  Tensor b = parameter({3.0f});
  Sgd opt({a, b}, {.lr = 0.1, .momentum = 0.9});
  set_gradient(a, {1.0f});
  opt.step();
  opt.step();
  EXPECT_EQ(b.item(), 3.0f);
  EXPECT_EQ(opt.state().scalars["steps"], nlohmann::json({2, 0}));
  // b's first update copies its gradient into a fresh buffer, as a first step does.
  a.zero_grad();
  set_gradient(b, {2.0f});
  opt.step();
  expect_close(b, {3.0 - 0.1 * 2.0});
  expect_close(a, {1.0 - 0.1 * 1.0 - 0.1 * 1.9});
}

TEST(SgdTest, UpdatesInPlaceWithoutRecording) {
  Tensor p = parameter({1.0f});
  Tensor alias = p;
  Sgd opt({p}, {.lr = 1.0});
  set_gradient(p, {0.25f});
  opt.step();
  EXPECT_EQ(alias.item(), 0.75f);
  EXPECT_TRUE(p.is_leaf());
  EXPECT_TRUE(p.requires_grad());
  opt.zero_grad();
  EXPECT_FALSE(p.grad().defined());
}

TEST(SgdTest, LargeParameterMatchesElementwiseFormula) {
  const std::int64_t n = 3 * kGrainSize + 5;  // several parallel chunks
  std::vector<float> values(static_cast<std::size_t>(n));
  std::vector<float> grads(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(i % 97) * 0.01f;
    grads[i] = static_cast<float>(i % 13) - 6.0f;
  }
  Tensor p = parameter(values);
  Sgd opt({p}, {.lr = 0.01, .momentum = 0.9, .weight_decay = 0.1});
  SgdReference ref{opt.options(), as_double(values)};
  for (int s = 0; s < 2; ++s) {
    set_gradient(p, grads);
    opt.step();
    ref.step(as_double(grads));
  }
  expect_close(p, ref.p);
}

TEST(SgdTest, ResumeFromSavedStateIsBitwise) {
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<Sgd>(std::move(params), SgdOptions{.lr = 0.1, .momentum = 0.9});
  });
  testing::expect_resume_is_bitwise([](std::vector<Tensor> params) {
    return std::make_unique<Sgd>(
        std::move(params),
        SgdOptions{.lr = 0.1, .momentum = 0.8, .nesterov = true, .weight_decay = 0.01});
  });
}

TEST(SgdTest, ConstructorRejectsBadOptions) {
  std::vector<Tensor> params = {parameter({1.0f})};
  try {
    Sgd(params, {.lr = -1});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "sgd: lr must be >= 0, got -1");
  }
  EXPECT_THROW(Sgd(params, {.momentum = 1.0}), ConfigError);
  EXPECT_THROW(Sgd(params, {.dampening = -0.1}), ConfigError);
  EXPECT_THROW(Sgd(params, {.weight_decay = -1e-4}), ConfigError);
  EXPECT_THROW(Sgd(params, {.nesterov = true}), ConfigError);
  EXPECT_THROW(Sgd(params, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), ConfigError);
}

}  // namespace
}  // namespace dither
