#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "augment/gradient_noise.h"
#include "augment/registry.h"
#include "core/error.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"

namespace dither {
namespace {

// Gives every parameter of the rig's model a zero gradient (or only the first `count` ones).
void zero_gradients(testing::HookRig& rig, std::size_t count = 1000) {
  rig.model().zero_grad();
  const NamedTensors params = rig.model().named_parameters();
  for (std::size_t k = 0; k < params.size() && k < count; ++k) {
    Tensor p = params[k].second;
    p.set_grad(Tensor::zeros(p.shape()));
  }
}

// Every gradient element of the rig's model after one on_gradients call at `step`.
std::vector<float> noisy_gradients(testing::HookRig& rig, Hook& hook, std::int64_t step,
                                   std::int64_t epoch = 0) {
  zero_gradients(rig);
  StepContext ctx = rig.context(step, epoch);
  ctx.batch_index = 0;
  dynamic_cast<GradientHook&>(hook).on_gradients(ctx);
  std::vector<float> out;
  for (const auto& [name, p] : rig.model().named_parameters()) {
    for (float g : p.grad().data()) out.push_back(g);
  }
  return out;
}

double mean_square(const std::vector<float>& v) {
  double sq = 0.0;
  for (float x : v) sq += static_cast<double>(x) * x;
  return sq / static_cast<double>(v.size());
}

const nlohmann::json kWide = {{{"type", "linear"}, {"out", 200}}};  // 300 * 200 + 200 elements

TEST(GradientNoiseTest, VarianceFollowsTheAnnealingFormula) {
  EXPECT_NEAR(gradient_noise_variance(0.3, 0.55, 99), 0.3 / std::pow(10.0, 1.1), 1e-12);
  EXPECT_EQ(gradient_noise_variance(1.0, 0.55, 0), 1.0);
  testing::HookRig rig(testing::tabular_info(300), kWide);
  auto hook = rig.hook({{"type", "gradient_noise"}, {"eta", 0.3}, {"gamma", 0.55}});
  for (const std::int64_t step : {0, 9, 999}) {
    const double expected = 0.3 / std::pow(1.0 + static_cast<double>(step), 0.55);
    // 60,200 draws: the variance's relative standard error is sqrt(2 / n) = 0.58%.
    EXPECT_NEAR(mean_square(noisy_gradients(rig, *hook, step)), expected, 0.025 * expected)
        << "step " << step;
  }
}

TEST(GradientNoiseTest, OnlyDefinedGradientsGetNoise) {
  testing::HookRig rig(testing::tabular_info(3), {{{"type", "linear"}, {"out", 2}}});
  auto hook = rig.hook({{"type", "gradient_noise"}});
  zero_gradients(rig, 1);  // the weight only
  StepContext ctx = rig.context(0);
  dynamic_cast<GradientHook&>(*hook).on_gradients(ctx);
  const NamedTensors params = rig.model().named_parameters();
  EXPECT_NE(params[0].second.grad().to_vector(), std::vector<float>(6, 0.0f));
  EXPECT_FALSE(params[1].second.grad().defined());
}

TEST(GradientNoiseTest, ReplacesTheGradientTensorAndAddsToIt) {
  testing::HookRig rig(testing::tabular_info(3), {{{"type", "linear"}, {"out", 2}}});
  auto hook = rig.hook({{"type", "gradient_noise"}, {"eta", 0.01}});
  const std::vector<float> noise = noisy_gradients(rig, *hook, 4);
  Tensor weight = rig.model().named_parameters()[0].second;
  const Tensor g = Tensor::full(weight.shape(), 2.0f);
  weight.set_grad(g);
  StepContext ctx = rig.context(4);
  dynamic_cast<GradientHook&>(*hook).on_gradients(ctx);
  EXPECT_EQ(g.to_vector(), std::vector<float>(6, 2.0f)) << "edited in place";
  for (std::size_t i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(weight.grad().ptr()[i], 2.0f + noise[i]);
}

TEST(GradientNoiseTest, DeterministicPerStepAndIndependentPerParameter) {
  testing::HookRig rig(testing::tabular_info(300), kWide);
  auto hook = rig.hook({{"type", "gradient_noise"}});
  const std::vector<float> a = noisy_gradients(rig, *hook, 3);
  EXPECT_EQ(noisy_gradients(rig, *hook, 3), a);
  EXPECT_NE(noisy_gradients(rig, *hook, 4), a);
  // The bias (parameter 1) draws from its own child stream, not the weight's first elements.
  const std::vector<float> bias(a.end() - 200, a.end());
  EXPECT_NE(bias, std::vector<float>(a.begin(), a.begin() + 200));
}

TEST(GradientNoiseTest, SameAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(300), kWide);
  auto hook = rig.hook({{"type", "gradient_noise"}});
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = noisy_gradients(rig, *hook, 8);
  set_num_threads(2);
  const std::vector<float> two = noisy_gradients(rig, *hook, 8);
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(GradientNoiseTest, PAndRampAndZeroEta) {
  testing::HookRig small(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  auto sometimes = small.hook({{"type", "gradient_noise"}, {"p", 0.25}});
  int noisy = 0;
  for (int step = 0; step < 800; ++step) {
    noisy += mean_square(noisy_gradients(small, *sometimes, step)) > 0.0;
  }
  EXPECT_NEAR(noisy, 200, 50);  // binomial sd 12
  testing::HookRig rig(testing::tabular_info(300), kWide);
  auto ramped = rig.hook({{"type", "gradient_noise"}, {"eta", 0.2}, {"ramp_epochs", 4}});
  EXPECT_EQ(mean_square(noisy_gradients(rig, *ramped, 0, 0)), 0.0);
  const double half = 0.1 / std::pow(2.0, 0.55);
  EXPECT_NEAR(mean_square(noisy_gradients(rig, *ramped, 1, 2)), half, 0.025 * half);
  auto off = rig.hook({{"type", "gradient_noise"}, {"eta", 0.0}});
  EXPECT_EQ(mean_square(noisy_gradients(rig, *off, 0)), 0.0);
}

TEST(GradientNoiseTest, RoundTripsThroughJsonAndRefusesModelsWithoutParameters) {
  auto hooks = make_hooks(nlohmann::json::array({{{"type", "gradient_noise"}}}));
  const nlohmann::json full = hooks[0]->to_json();
  EXPECT_EQ(full, (nlohmann::json{{"type", "gradient_noise"},
                                  {"eta", 0.01},
                                  {"gamma", 0.55},
                                  {"p", 1.0},
                                  {"ramp_epochs", 0.0}}));
  EXPECT_EQ(make_hooks(nlohmann::json::array({full}))[0]->to_json(), full);
  testing::HookRig rig(testing::tabular_info(4), {{{"type", "relu"}}});
  const std::string m = testing::config_error([&] { rig.hook({{"type", "gradient_noise"}}); });
  EXPECT_NE(m.find("noise[0]: the model has no parameters"), std::string::npos) << m;
  EXPECT_THROW(make_hooks(nlohmann::json::array({{{"type", "gradient_noise"}, {"gama", 1}}})),
               ConfigError);
}

}  // namespace
}  // namespace dither
