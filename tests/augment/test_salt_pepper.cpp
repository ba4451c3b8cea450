#include <gtest/gtest.h>

#include <cmath>

#include "augment/salt_pepper.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kImageModel = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}};

TEST(SaltPepperTest, HitsAmountOfTheElementsAndSaltsTheirShare) {
  constexpr double n = 200'000;
  const Tensor x = Tensor::full({200'000}, 0.25f);
  // A range other than [0, 1], to see that the two values are the data's ends.
  const Tensor y = salt_and_pepper(x, 0.1f, 0.3f, -1.0f, 2.0f, RandomStream(5, "t"));
  double hit = 0;
  double salt = 0;
  for (float v : y.data()) {
    ASSERT_TRUE(v == 0.25f || v == -1.0f || v == 2.0f) << v;
    hit += v != 0.25f;
    salt += v == 2.0f;
  }
  EXPECT_NEAR(hit / n, 0.1, 5.0 * std::sqrt(0.1 * 0.9 / n));
  EXPECT_NEAR(salt / hit, 0.3, 5.0 * std::sqrt(0.3 * 0.7 / hit));
}

TEST(SaltPepperTest, AmountOneReplacesEverythingAndZeroNothing) {
  const Tensor x = Tensor::full({1000}, 0.5f);
  for (float v : salt_and_pepper(x, 1.0f, 1.0f, 0.0f, 1.0f, RandomStream(6, "t")).data()) {
    ASSERT_EQ(v, 1.0f);
  }
  EXPECT_EQ(salt_and_pepper(x, 0.0f, 0.5f, 0.0f, 1.0f, RandomStream(6, "t")).to_vector(),
            x.to_vector());
}

TEST(SaltPepperHookTest, UsesTheImageRangeFiresAtRatePAndIsDeterministic) {
  testing::HookRig rig(testing::image_info(1, 100, 100), kImageModel);
  const Batch batch = rig.batch(Tensor::full({3, 1, 100, 100}, 0.5f), Tensor::zeros({3}));
  const Tensor y = testing::noised(rig, *rig.hook({{"type", "salt_pepper"}}), batch, 0);
  double hit = 0;
  for (float v : y.data()) {
    ASSERT_TRUE(v == 0.5f || v == 0.0f || v == 1.0f) << v;
    hit += v != 0.5f;
  }
  EXPECT_NEAR(hit / 30'000, 0.05, 5.0 * std::sqrt(0.05 * 0.95 / 30'000));
  testing::expect_fires_at_rate_p(rig, {{"type", "salt_pepper"}},
                                  rig.batch(Tensor::full({2, 1, 8, 8}, 0.5f), Tensor::zeros({2})));
  testing::expect_deterministic(rig, {{"type", "salt_pepper"}}, batch);
}

TEST(SaltPepperHookTest, BatchOfOneAndZeroAmount) {
  testing::HookRig rig(testing::image_info(1, 8, 8), kImageModel);
  const Batch one = rig.batch(Tensor::full({1, 1, 8, 8}, 0.5f), Tensor::zeros({1}));
  const Tensor y =
      testing::noised(rig, *rig.hook({{"type", "salt_pepper"}, {"amount", 0.5}}), one, 0);
  EXPECT_EQ(y.shape(), one.inputs.shape());
  EXPECT_NE(y.to_vector(), one.inputs.to_vector());
  EXPECT_EQ(
      testing::fired_fraction(rig, *rig.hook({{"type", "salt_pepper"}, {"amount", 0}}), one, 20),
      0.0);
}

TEST(SaltPepperHookTest, RoundTripsAndRefusesUnboundedData) {
  testing::HookRig rig(testing::image_info(1, 8, 8), kImageModel);
  testing::expect_round_trip(rig, {{"type", "salt_pepper"}});
  testing::expect_round_trip(rig, {{"type", "salt_pepper"},
                                   {"amount", 0.2},
                                   {"salt_vs_pepper", 0.9},
                                   {"p", 0.5},
                                   {"ramp_epochs", 2}});
  testing::HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(table, {{"type", "salt_pepper"}}, "bounded valid range");
  InputInfo tokens = testing::tabular_info(4);
  tokens.kind = InputKind::tokens;
  tokens.low = 0.0f;
  tokens.high = 99.0f;  // bounded, but ids
  testing::HookRig token_rig(tokens, {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(token_rig, {{"type", "salt_pepper"}}, "token ids");
  testing::expect_refused(rig, {{"type", "salt_pepper"}, {"amount", 1.5}}, "amount");
}

}  // namespace
}  // namespace dither
