#include <gtest/gtest.h>

#include <cmath>

#include "augment/gaussian.h"
#include "augment/registry.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

TEST(GaussianNoiseTest, HasMeanZeroAndStdSigma) {
  const Tensor x = Tensor::zeros({200'000});
  const Tensor y = add_gaussian_noise(x, 0.3f, RandomStream(1, "t"), -1e9f, 1e9f);
  double mean = 0.0;
  double sq = 0.0;
  for (float v : y.data()) {
    mean += v;
    sq += static_cast<double>(v) * v;
  }
  mean /= 200'000.0;
  EXPECT_NEAR(mean, 0.0, 0.003);
  EXPECT_NEAR(std::sqrt(sq / 200'000.0 - mean * mean), 0.3, 0.003);
}

TEST(GaussianNoiseTest, StaysInTheValidRangeAndLeavesTheInputAlone) {
  const Tensor x = Tensor::full({10'000}, 0.95f);
  const Tensor y = add_gaussian_noise(x, 0.5f, RandomStream(2, "t"), 0.0f, 1.0f);
  for (float v : y.data()) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LE(v, 1.0f);
  }
  EXPECT_EQ(x.data()[0], 0.95f);
}

TEST(GaussianNoiseTest, SameAtOneAndTwoThreads) {
  const Tensor x = Tensor::zeros({100'000});
  set_num_threads(1);
  const Tensor one = add_gaussian_noise(x, 1.0f, RandomStream(3, "t"), -1e9f, 1e9f);
  set_num_threads(2);
  const Tensor two = add_gaussian_noise(x, 1.0f, RandomStream(3, "t"), -1e9f, 1e9f);
  EXPECT_EQ(one.to_vector(), two.to_vector());
}

TEST(GaussianNoiseHookTest, ReplacesInputsOnlyWhenItFires) {
  auto hook = HookRegistry::instance().create({{"type", "gaussian"}, {"sigma", 0.2}, {"p", 0.5}},
                                              "noise[0]");
  InputInfo info;
  int fired = 0;
  for (int step = 0; step < 400; ++step) {
    StepContext ctx;
    ctx.step = step;
    ctx.seed = 9;
    ctx.input = &info;
    ctx.inputs = Tensor::zeros({4});
    const Tensor before = ctx.inputs;
    hook->on_batch_start(ctx);
    fired += ctx.inputs.ptr() != before.ptr();
  }
  EXPECT_NEAR(fired, 200, 40);
}

TEST(GaussianNoiseHookTest, RefusesTokenInputsAndBadKeys) {
  InputInfo tokens;
  tokens.kind = InputKind::tokens;
  EXPECT_THROW(make_hooks(nlohmann::json::array({{{"type", "gaussian"}}}), tokens), ConfigError);
  try {
    make_hooks(nlohmann::json::array({{{"type", "gaussian"}, {"sigmaa", 1}}}), InputInfo{});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("noise[0].sigmaa"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("did you mean 'sigma'"), std::string::npos);
  }
  try {
    make_hooks(nlohmann::json::array({{{"type", "gausian"}}}), InputInfo{});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'gaussian'"), std::string::npos);
  }
}

}  // namespace
}  // namespace dither
