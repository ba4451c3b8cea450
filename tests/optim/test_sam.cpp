#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

#include "core/error.h"
#include "optim/factory.h"
#include "optim/sam.h"
#include "optim/sgd.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::parameter;
using testing::set_gradient;

double norm_of(const std::vector<Tensor>& e, const std::vector<Tensor>& scale_by = {}) {
  double s = 0.0;
  for (std::size_t k = 0; k < e.size(); ++k) {
    if (!e[k].defined()) continue;
    for (std::int64_t i = 0; i < e[k].numel(); ++i) {
      const double v = e[k].ptr()[i] / (scale_by.empty() ? 1.0 : std::abs(scale_by[k].ptr()[i]));
      s += v * v;
    }
  }
  return std::sqrt(s);
}

TEST(SamTest, PerturbationHasNormRhoAlongTheGradient) {
  std::vector<Tensor> params{parameter({0.5f, -1.5f, 2.0f}), parameter({0.25f, -0.75f}),
                             parameter({1.0f})};
  set_gradient(params[0], {3.0f, -1.0f, 0.5f});
  set_gradient(params[1], {-2.0f, 0.25f});  // params[2] has no gradient
  const std::vector<Tensor> e = sam_perturbation(params, 0.05, false);
  EXPECT_NEAR(norm_of(e), 0.05, 1e-7);
  EXPECT_FALSE(e[2].defined());
  const double g_norm = std::sqrt(9.0 + 1.0 + 0.25 + 4.0 + 0.0625);
  EXPECT_NEAR(e[0].ptr()[0], 0.05 * 3.0 / g_norm, 1e-8);
  EXPECT_NEAR(e[1].ptr()[0], 0.05 * -2.0 / g_norm, 1e-8);
}

TEST(SamTest, AdaptivePerturbationHasNormRhoInTheWeightScaledMetric) {
  std::vector<Tensor> params{parameter({0.5f, -1.5f, 2.0f}), parameter({0.25f, -0.75f})};
  set_gradient(params[0], {3.0f, -1.0f, 0.5f});
  set_gradient(params[1], {-2.0f, 0.25f});
  const std::vector<Tensor> e = sam_perturbation(params, 0.5, true);
  EXPECT_NEAR(norm_of(e, params), 0.5, 1e-6);  // || e / |w| || = rho
  // e = rho w^2 g / || |w| g ||, by hand for two elements.
  const double norm = std::sqrt(1.5 * 1.5 + 1.5 * 1.5 + 1.0 + 0.25 + 0.1875 * 0.1875);
  EXPECT_NEAR(e[0].ptr()[2], 0.5 * 4.0 * 0.5 / norm, 1e-7);
  EXPECT_NEAR(e[1].ptr()[1], 0.5 * 0.5625 * 0.25 / norm, 1e-7);
}

TEST(SamTest, ZeroGradientGivesNoPerturbation) {
  std::vector<Tensor> params{parameter({0.5f, -1.5f})};
  set_gradient(params[0], {0.0f, 0.0f});
  const std::vector<Tensor> e = sam_perturbation(params, 0.05, false);
  EXPECT_EQ(e[0].to_vector(), (std::vector<float>{0.0f, 0.0f}));
}

// f(w) = sum(w^3) / 3, gradient w^2: the second gradient is taken at w + e, the step starts
// from w itself.
TEST(SamTest, StepsTheBaseFromTheWeightsWithTheGradientAtThePerturbedWeights) {
  Tensor w = parameter({0.5f, -1.5f, 2.0f});
  Sam sam(std::make_unique<Sgd>(std::vector<Tensor>{w}, SgdOptions{.lr = 0.1}), 0.05);
  auto gradient_at = [](const std::vector<float>& v) {
    std::vector<float> g;
    for (float x : v) g.push_back(x * x);
    return g;
  };
  const std::vector<float> start = w.to_vector();
  set_gradient(w, gradient_at(start));
  const std::vector<Tensor> e = sam_perturbation({w}, 0.05, false);
  std::vector<float> seen;
  sam.step_with([&] {
    seen = w.to_vector();
    set_gradient(w, gradient_at(seen));
  });
  for (std::size_t i = 0; i < start.size(); ++i) {
    EXPECT_FLOAT_EQ(seen[i], start[i] + e[0].ptr()[i]);
    const float g = seen[i] * seen[i];
    EXPECT_FLOAT_EQ(w.ptr()[i], start[i] - 0.1f * g);
  }
}

TEST(SamTest, PlainStepAndLrFollowTheWrapper) {
  Tensor w = parameter({1.0f});
  Sam sam(std::make_unique<Sgd>(std::vector<Tensor>{w}, SgdOptions{.lr = 0.1}), 0.05);
  sam.set_lr(0.5);
  set_gradient(w, {2.0f});
  sam.step();
  EXPECT_FLOAT_EQ(w.ptr()[0], 0.0f);
}

TEST(SamTest, StateRoundTripsThroughTheBase) {
  Tensor w = parameter({1.0f, 2.0f});
  auto make = [](Tensor p) {
    return std::make_unique<Sam>(
        std::make_unique<Sgd>(std::vector<Tensor>{p}, SgdOptions{.lr = 0.1, .momentum = 0.9}),
        0.05);
  };
  auto a = make(w);
  set_gradient(w, {1.0f, -1.0f});
  a->step_with([&] { set_gradient(w, {0.5f, 0.25f}); });
  const OptimizerState state = a->state();
  EXPECT_EQ(state.scalars["type"], "sam");
  EXPECT_EQ(state.scalars["base"]["type"], "sgd");
  Tensor w2 = parameter({1.0f, 2.0f});
  auto b = make(w2);
  b->load_state(state);
  EXPECT_EQ(b->state().scalars, state.scalars);
  ASSERT_EQ(b->state().tensors.size(), state.tensors.size());
  EXPECT_TRUE(testing::bitwise_equal(b->state().tensors[0].second, state.tensors[0].second));
  OptimizerState wrong = state;
  wrong.scalars["type"] = "sgd";
  EXPECT_THROW(b->load_state(wrong), ConfigError);
}

TEST(SamTest, BuildsFromJsonRoundTripsAndRefusesNesting) {
  const nlohmann::json spec = {
      {"type", "sam"}, {"rho", 0.1}, {"base", {{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}}};
  auto opt = make_optimizer(spec, {parameter({1.0f})});
  const nlohmann::json full = opt->to_json();
  EXPECT_EQ(full["adaptive"], false);
  EXPECT_EQ(full["base"]["nesterov"], false);
  EXPECT_EQ(make_optimizer(full, {parameter({1.0f})})->to_json(), full);
  EXPECT_DOUBLE_EQ(opt->lr(), 0.05);
  try {
    make_optimizer({{"type", "sam"}, {"base", {{"type", "sam"}, {"base", {{"type", "sgd"}}}}}},
                   {parameter({1.0f})});
    ADD_FAILURE() << "nested sam accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer.base.type"), std::string::npos) << e.what();
  }
  try {
    make_optimizer({{"type", "sam"}, {"rho", -1}, {"base", {{"type", "sgd"}}}},
                   {parameter({1.0f})});
    ADD_FAILURE() << "negative rho accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer.rho"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dither
