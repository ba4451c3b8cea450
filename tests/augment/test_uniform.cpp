#include <gtest/gtest.h>

#include <cmath>

#include "augment/uniform.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "linear"}, {"out", 3}}};

TEST(UniformNoiseTest, HasMeanZeroAndVarianceAmplitudeSquaredOverThree) {
  constexpr double n = 200'000;
  constexpr float a = 0.3f;
  const Tensor y = add_uniform_noise(Tensor::full({200'000}, 2.0f), a, RandomStream(1, "t"),
                                     -INFINITY, INFINITY);
  double sum = 0.0;
  double sq = 0.0;
  float lo = 1e9f;
  float hi = -1e9f;
  for (float v : y.data()) {
    const double d = v - 2.0;
    sum += d;
    sq += d * d;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const double mean = sum / n;
  const double var = sq / n - mean * mean;
  const double expected_var = a * a / 3.0;
  // Standard errors: of the mean sqrt(var / n); of the variance a^2 sqrt(4 / 45 / n) (U's
  // fourth moment a^4 / 5).
  EXPECT_NEAR(mean, 0.0, 5.0 * std::sqrt(expected_var / n));
  EXPECT_NEAR(var, expected_var, 5.0 * a * a * std::sqrt(4.0 / 45.0 / n));
  // Bounded by the amplitude, and reaching it.
  EXPECT_GE(lo, 2.0f - a - 1e-6f);
  EXPECT_LE(hi, 2.0f + a + 1e-6f);
  EXPECT_LT(lo, 2.0f - 0.999f * a);
  EXPECT_GT(hi, 2.0f + 0.999f * a);
}

TEST(UniformNoiseHookTest, ClipKeepsImagesInTheirRange) {
  testing::HookRig rig(testing::image_info(1, 100, 100), {{{"type", "flatten"}}, kLinear[0]});
  const Batch batch = rig.batch(Tensor::full({2, 1, 100, 100}, 0.95f), Tensor::zeros({2}));
  const Tensor clipped = testing::noised(
      rig, *rig.hook({{"type", "uniform"}, {"amplitude", 0.2}, {"clip", true}}), batch, 0);
  const Tensor free =
      testing::noised(rig, *rig.hook({{"type", "uniform"}, {"amplitude", 0.2}}), batch, 0);
  int above = 0;
  for (std::int64_t i = 0; i < clipped.numel(); ++i) {
    ASSERT_GE(clipped.ptr()[i], 0.0f);
    ASSERT_LE(clipped.ptr()[i], 1.0f);
    above += free.ptr()[i] > 1.0f;
  }
  // Without clip the draws above +0.05, 0.15 / 0.4 of them, leave the range.
  EXPECT_NEAR(above / 20'000.0, 0.375, 5.0 * std::sqrt(0.375 * 0.625 / 20'000));
}

TEST(UniformNoiseHookTest, FiresAtRatePAndIsDeterministic) {
  testing::HookRig rig(testing::tabular_info(20'000), kLinear);
  const Batch batch = rig.batch(Tensor::zeros({3, 20'000}), Tensor::zeros({3}));
  testing::expect_fires_at_rate_p(rig, {{"type", "uniform"}},
                                  rig.batch(Tensor::zeros({2, 8}), Tensor::zeros({2})));
  testing::expect_deterministic(rig, {{"type", "uniform"}}, batch);
}

TEST(UniformNoiseHookTest, ZeroAmplitudeAndTheRampStartLeaveTheBatch) {
  testing::HookRig rig(testing::tabular_info(4), kLinear);
  const Batch batch = rig.batch(Tensor::zeros({1, 4}), Tensor::zeros({1}));
  EXPECT_EQ(
      testing::fired_fraction(rig, *rig.hook({{"type", "uniform"}, {"amplitude", 0}}), batch, 20),
      0.0);
  auto ramped = rig.hook({{"type", "uniform"}, {"amplitude", 0.5}, {"ramp_epochs", 2}});
  StepContext start = rig.context(0, 0);
  Batch b = batch;
  ramped->on_batch(start, b);
  EXPECT_EQ(b.inputs.ptr(), batch.inputs.ptr());
  // Half-way up the ramp every draw lies within half the amplitude.
  StepContext mid = rig.context(0, 1);
  mid.batch_index = 0;
  ramped->on_batch(mid, b);
  float largest = 0.0f;
  for (float v : b.inputs.data()) largest = std::max(largest, std::abs(v));
  EXPECT_GT(largest, 0.0f);
  EXPECT_LE(largest, 0.25f + 1e-6f);
}

TEST(UniformNoiseHookTest, RoundTripsAndRefusesTokens) {
  testing::HookRig rig(testing::tabular_info(4), kLinear);
  testing::expect_round_trip(rig, {{"type", "uniform"}});
  testing::expect_round_trip(
      rig,
      {{"type", "uniform"}, {"amplitude", 0.3}, {"clip", true}, {"p", 0.5}, {"ramp_epochs", 1}});
  InputInfo tokens = testing::tabular_info(4);
  tokens.kind = InputKind::tokens;
  testing::HookRig token_rig(tokens, kLinear);
  testing::expect_refused(token_rig, {{"type", "uniform"}}, "token ids");
  testing::expect_refused(rig, {{"type", "uniform"}, {"amplitud", 0.1}},
                          "did you mean 'amplitude'");
}

}  // namespace
}  // namespace dither
