#include <gtest/gtest.h>

#include <cmath>

#include "augment/speckle.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "linear"}, {"out", 3}}};

TEST(SpeckleNoiseTest, NoiseStdIsSigmaTimesTheValueAndZerosStayZero) {
  constexpr std::int64_t n = 100'000;
  constexpr float sigma = 0.1f;
  // Three regions: 0.5, 2.0 and 0: the added noise must have std 0.05, 0.2 and 0.
  Tensor x = Tensor::empty({3 * n});
  for (std::int64_t i = 0; i < n; ++i) {
    x.ptr()[i] = 0.5f;
    x.ptr()[n + i] = 2.0f;
    x.ptr()[2 * n + i] = 0.0f;
  }
  const Tensor y = add_speckle_noise(x, sigma, RandomStream(4, "t"), -INFINITY, INFINITY);
  for (const auto& [region, value] : {std::pair{0, 0.5}, {1, 2.0}}) {
    double sum = 0.0;
    double sq = 0.0;
    for (std::int64_t i = region * n; i < (region + 1) * n; ++i) {
      const double d = y.ptr()[i] - value;
      sum += d;
      sq += d * d;
    }
    const double sd = sigma * value;
    // Standard errors of a normal sample's mean and std: sd / sqrt(n), sd / sqrt(2n).
    EXPECT_NEAR(sum / n, 0.0, 5.0 * sd / std::sqrt(n)) << "value " << value;
    EXPECT_NEAR(std::sqrt(sq / n), sd, 5.0 * sd / std::sqrt(2.0 * n)) << "value " << value;
  }
  for (std::int64_t i = 2 * n; i < 3 * n; ++i) ASSERT_EQ(y.ptr()[i], 0.0f);
}

TEST(SpeckleNoiseHookTest, ClipKeepsImagesInTheirRange) {
  testing::HookRig rig(testing::image_info(1, 100, 100), {{{"type", "flatten"}}, kLinear[0]});
  const Batch batch = rig.batch(Tensor::full({2, 1, 100, 100}, 0.9f), Tensor::zeros({2}));
  const Tensor y = testing::noised(
      rig, *rig.hook({{"type", "speckle"}, {"sigma", 0.5}, {"clip", true}}), batch, 0);
  int at_one = 0;
  for (float v : y.data()) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LE(v, 1.0f);
    at_one += v == 1.0f;
  }
  // 0.9 (1 + 0.5 z) > 1 when z > 2 / 9: P = 1 - Phi(0.2222) = 0.4121.
  EXPECT_NEAR(at_one / 20'000.0, 0.4121, 5.0 * std::sqrt(0.4121 * 0.5879 / 20'000));
}

TEST(SpeckleNoiseHookTest, FiresAtRatePAndIsDeterministic) {
  testing::HookRig rig(testing::tabular_info(20'000), kLinear);
  const Batch batch = rig.batch(Tensor::ones({3, 20'000}), Tensor::zeros({3}));
  testing::expect_fires_at_rate_p(rig, {{"type", "speckle"}},
                                  rig.batch(Tensor::ones({2, 8}), Tensor::zeros({2})));
  testing::expect_deterministic(rig, {{"type", "speckle"}, {"sigma", 0.3}}, batch);
}

TEST(SpeckleNoiseHookTest, ZeroSigmaLeavesTheBatchAndBatchOfOneWorks) {
  testing::HookRig rig(testing::tabular_info(4), kLinear);
  const Batch one = rig.batch(Tensor::ones({1, 4}), Tensor::zeros({1}));
  EXPECT_EQ(testing::fired_fraction(rig, *rig.hook({{"type", "speckle"}, {"sigma", 0}}), one, 20),
            0.0);
  const Tensor y = testing::noised(rig, *rig.hook({{"type", "speckle"}}), one, 0);
  EXPECT_EQ(y.shape(), one.inputs.shape());
  EXPECT_NE(y.to_vector(), one.inputs.to_vector());
}

TEST(SpeckleNoiseHookTest, RoundTripsAndRefusesTokens) {
  testing::HookRig rig(testing::tabular_info(4), kLinear);
  testing::expect_round_trip(rig, {{"type", "speckle"}});
  testing::expect_round_trip(
      rig, {{"type", "speckle"}, {"sigma", 0.2}, {"clip", true}, {"p", 0.25}, {"ramp_epochs", 3}});
  InputInfo tokens = testing::tabular_info(4);
  tokens.kind = InputKind::tokens;
  testing::HookRig token_rig(tokens, kLinear);
  testing::expect_refused(token_rig, {{"type", "speckle"}}, "token ids");
  testing::expect_refused(rig, {{"type", "speckle"}, {"sigma", -1}}, "sigma");
}

}  // namespace
}  // namespace dither
