#include <gtest/gtest.h>

#include <cmath>

#include "augment/gaussian.h"
#include "augment/registry.h"
#include "core/error.h"
#include "core/parallel.h"
#include "hook_checks.h"
#include "sequence_testing.h"

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
  const int threads = num_threads();
  set_num_threads(1);
  const Tensor one = add_gaussian_noise(x, 1.0f, RandomStream(3, "t"), -1e9f, 1e9f);
  set_num_threads(2);
  const Tensor two = add_gaussian_noise(x, 1.0f, RandomStream(3, "t"), -1e9f, 1e9f);
  set_num_threads(threads);
  EXPECT_EQ(one.to_vector(), two.to_vector());
}

TEST(GaussianNoiseHookTest, ReplacesInputsOnlyWhenItFires) {
  testing::HookRig rig(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  auto hook = rig.hook({{"type", "gaussian"}, {"sigma", 0.2}, {"p", 0.5}});
  int fired = 0;
  for (int step = 0; step < 400; ++step) {
    StepContext ctx = rig.context(step);
    Batch batch = rig.batch(Tensor::zeros({2, 4}), Tensor::zeros({2}));
    const Tensor before = batch.inputs;
    hook->on_batch(ctx, batch);
    fired += batch.inputs.ptr() != before.ptr();
  }
  EXPECT_NEAR(fired, 200, 40);
}

TEST(GaussianNoiseHookTest, RelativeSigmaScalesWithEachSamplesStd) {
  testing::HookRig rig(testing::tabular_info(20'000), {{{"type", "linear"}, {"out", 3}}});
  auto hook = rig.hook({{"type", "gaussian"}, {"sigma", 0.5}, {"relative", true}});
  // Sample 0 has std 1, sample 1 std 4: the added noise must have std 0.5 and 2.
  Tensor x = Tensor::empty({2, 20'000});
  for (std::int64_t j = 0; j < 20'000; ++j) {
    x.ptr()[j] = j % 2 == 0 ? 1.0f : -1.0f;
    x.ptr()[20'000 + j] = j % 2 == 0 ? 4.0f : -4.0f;
  }
  StepContext ctx = rig.context(0);
  Batch batch = rig.batch(x, Tensor::zeros({2}));
  hook->on_batch(ctx, batch);
  for (std::int64_t i = 0; i < 2; ++i) {
    double sq = 0.0;
    for (std::int64_t j = 0; j < 20'000; ++j) {
      const double d = batch.inputs.ptr()[i * 20'000 + j] - x.ptr()[i * 20'000 + j];
      sq += d * d;
    }
    EXPECT_NEAR(std::sqrt(sq / 20'000.0), i == 0 ? 0.5 : 2.0, i == 0 ? 0.01 : 0.04);
  }
}

TEST(GaussianNoiseHookTest, RampsSigmaFromZero) {
  testing::HookRig rig(testing::tabular_info(10'000), {{{"type", "linear"}, {"out", 3}}});
  auto hook = rig.hook({{"type", "gaussian"}, {"sigma", 0.4}, {"ramp_epochs", 2}});
  for (const auto& [epoch, expected] : {std::pair{0, 0.0}, {1, 0.2}, {3, 0.4}}) {
    StepContext ctx = rig.context(epoch, epoch);
    ctx.batch_index = 0;
    Batch batch = rig.batch(Tensor::zeros({1, 10'000}), Tensor::zeros({1}));
    hook->on_batch(ctx, batch);
    double sq = 0.0;
    for (float v : batch.inputs.data()) sq += static_cast<double>(v) * v;
    EXPECT_NEAR(std::sqrt(sq / 10'000.0), expected, 0.01) << "epoch " << epoch;
  }
}

TEST(GaussianNoiseHookTest, NoisesOnlyTheValidStepsOfSequences) {
  testing::HookRig rig(testing::sequence_info(40, 2), testing::sequence_model());
  const Batch batch = testing::padded_sequences(rig, 300, 40, 2);
  const auto lengths = testing::lengths_of(batch);
  for (const bool relative : {false, true}) {
    auto hook = rig.hook({{"type", "gaussian"}, {"sigma", 0.5}, {"relative", relative}});
    const Tensor y = testing::noised(rig, *hook, batch, 0);
    double sq = 0.0, expected = 0.0;
    std::int64_t valid = 0;
    for (std::int64_t b = 0; b < 300; ++b) {
      const std::int64_t n = lengths[static_cast<std::size_t>(b)] * 2;
      // The valid values are U[1, 2): std 1/sqrt(12), which the padding (-7) must not inflate.
      double sum = 0.0, sum_sq = 0.0;
      for (std::int64_t j = 0; j < n; ++j) {
        const double v = batch.inputs.ptr()[b * 80 + j];
        sum += v;
        sum_sq += v * v;
      }
      const double std = n > 0 ? std::sqrt(sum_sq / n - (sum / n) * (sum / n)) : 0.0;
      for (std::int64_t j = 0; j < 80; ++j) {
        const double d = y.ptr()[b * 80 + j] - batch.inputs.ptr()[b * 80 + j];
        if (j >= n) {
          ASSERT_EQ(d, 0.0) << "padding of sample " << b << " changed";
          continue;
        }
        sq += d * d;
        expected += relative ? 0.25 * std * std : 0.25;
        ++valid;
      }
    }
    EXPECT_NEAR(std::sqrt(sq / static_cast<double>(valid)),
                std::sqrt(expected / static_cast<double>(valid)),
                0.02 * std::sqrt(expected / static_cast<double>(valid)))
        << "relative " << relative;
  }
}

TEST(GaussianNoiseHookTest, RefusesTokenInputsAndBadKeys) {
  InputInfo tokens = testing::tabular_info(4);
  tokens.kind = InputKind::tokens;
  testing::HookRig rig(tokens, {{{"type", "linear"}, {"out", 3}}});
  try {
    rig.hook({{"type", "gaussian"}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("use token_mask"), std::string::npos) << e.what();
  }
  try {
    make_hooks(nlohmann::json::array({{{"type", "gaussian"}, {"sigmaa", 1}}}));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("noise[0].sigmaa"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("did you mean 'sigma'"), std::string::npos);
  }
  try {
    make_hooks(nlohmann::json::array({{{"type", "gausian"}}}));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'gaussian'"), std::string::npos);
  }
}

}  // namespace
}  // namespace dither
