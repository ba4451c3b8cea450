#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "augment/feature_mask.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "linear"}, {"out", 3}}};
constexpr float kSentinel = 1000.0f;  // a value no training column holds

// 500 training rows of 4 features; feature f takes the values f, f + 1, ..., f + 4 with
// frequencies 1, 2, 3, 4, 0 in every 10 rows (f + 4 never occurs).
Tensor training_rows() {
  Tensor t = Tensor::empty({500, 4});
  constexpr int kPattern[10] = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3};
  for (std::int64_t r = 0; r < 500; ++r) {
    for (std::int64_t f = 0; f < 4; ++f) {
      t.ptr()[r * 4 + f] = static_cast<float>(f + kPattern[(r * 7 + f) % 10]);
    }
  }
  return t;
}

testing::HookRig rig_with_training() {
  testing::HookRig rig(testing::tabular_info(4), kLinear);
  rig.set_training_inputs(training_rows());
  return rig;
}

TEST(FeatureMaskTest, MasksAtTheRateWithZeros) {
  constexpr double n = 200'000;
  const Tensor y = mask_features(Tensor::full({50'000, 4}, kSentinel), 0.15f, FeatureFill{},
                                 RandomStream(14, "t"));
  double masked = 0;
  for (float v : y.data()) {
    ASSERT_TRUE(v == kSentinel || v == 0.0f);
    masked += v == 0.0f;
  }
  EXPECT_NEAR(masked / n, 0.15, 5.0 * std::sqrt(0.15 * 0.85 / n));
}

TEST(FeatureMaskTest, MeanFillIsEachColumnsTrainingMean) {
  const Tensor train = training_rows();
  const FeatureFill fill = FeatureFill::from_training(MaskFill::mean, train);
  const Tensor y =
      mask_features(Tensor::full({1000, 4}, kSentinel), 0.5f, fill, RandomStream(15, "t"));
  for (std::int64_t f = 0; f < 4; ++f) {
    double mean = 0.0;
    for (std::int64_t r = 0; r < 500; ++r) mean += train.ptr()[r * 4 + f];
    mean /= 500;
    int masked = 0;
    for (std::int64_t r = 0; r < 1000; ++r) {
      const float v = y.ptr()[r * 4 + f];
      if (v == kSentinel) continue;
      ++masked;
      ASSERT_NEAR(v, mean, 1e-5) << "feature " << f;
    }
    EXPECT_GT(masked, 400);
  }
}

TEST(FeatureMaskTest, MarginalFillDrawsValuesOfThatColumnAtTheirFrequencies) {
  const FeatureFill fill = FeatureFill::from_training(MaskFill::marginal, training_rows());
  const Tensor y =
      mask_features(Tensor::full({20'000, 4}, kSentinel), 0.5f, fill, RandomStream(16, "t"));
  for (std::int64_t f = 0; f < 4; ++f) {
    std::map<float, double> count;
    double masked = 0;
    for (std::int64_t r = 0; r < 20'000; ++r) {
      const float v = y.ptr()[r * 4 + f];
      if (v == kSentinel) continue;
      ++masked;
      ++count[v];
    }
    ASSERT_EQ(count.size(), 4u) << "feature " << f << " drew values outside its column";
    for (int k = 0; k < 4; ++k) {
      const float value = static_cast<float>(f + k);
      ASSERT_TRUE(count.count(value)) << "feature " << f << " never drew " << value;
      const double p = (k + 1) / 10.0;  // the column's empirical marginal
      EXPECT_NEAR(count[value] / masked, p, 5.0 * std::sqrt(p * (1 - p) / masked));
    }
  }
}

TEST(FeatureMaskHookTest, SetsUpFromTheTrainingRowsFiresAtRatePAndIsDeterministic) {
  testing::HookRig rig = rig_with_training();
  const Batch batch = rig.batch(Tensor::full({5'001, 4}, kSentinel), Tensor::zeros({5'001}));
  const nlohmann::json spec = {{"type", "feature_mask"}, {"fill", "marginal"}};
  const Tensor y = testing::noised(rig, *rig.hook(spec), batch, 0);
  for (float v : y.data()) ASSERT_TRUE(v == kSentinel || (v >= 0.0f && v <= 6.0f)) << v;
  testing::expect_fires_at_rate_p(rig, spec,
                                  rig.batch(Tensor::full({2, 4}, kSentinel), Tensor::zeros({2})));
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_deterministic(rig, {{"type", "feature_mask"}, {"fill", "mean"}}, batch);
}

TEST(FeatureMaskHookTest, EdgeCases) {
  testing::HookRig rig = rig_with_training();
  const Batch one = rig.batch(Tensor::full({1, 4}, kSentinel), Tensor::zeros({1}));
  for (float v :
       testing::noised(rig, *rig.hook({{"type", "feature_mask"}, {"rate", 1}}), one, 0).data()) {
    ASSERT_EQ(v, 0.0f);
  }
  EXPECT_EQ(
      testing::fired_fraction(rig, *rig.hook({{"type", "feature_mask"}, {"rate", 0}}), one, 10),
      0.0);
  // Ramped: no masking at the start, half the rate half-way.
  auto ramped = rig.hook({{"type", "feature_mask"}, {"rate", 0.4}, {"ramp_epochs", 2}});
  EXPECT_EQ(testing::noised(rig, *ramped, one, 0).ptr(), one.inputs.ptr());
  const Batch many = rig.batch(Tensor::full({20'000, 4}, kSentinel), Tensor::zeros({20'000}));
  StepContext mid = rig.context(0, 1);
  mid.batch_index = 0;
  Batch b = many;
  ramped->on_batch(mid, b);
  double masked = 0;
  for (float v : b.inputs.data()) masked += v != kSentinel;
  EXPECT_NEAR(masked / 80'000, 0.2, 5.0 * std::sqrt(0.2 * 0.8 / 80'000));
}

TEST(FeatureMaskHookTest, RoundTripsAndRefusesImagesAndMissingTrainingRows) {
  testing::HookRig rig = rig_with_training();
  testing::expect_round_trip(rig, {{"type", "feature_mask"}});
  testing::expect_round_trip(
      rig,
      {{"type", "feature_mask"}, {"rate", 0.3}, {"fill", "mean"}, {"p", 0.5}, {"ramp_epochs", 1}});
  testing::expect_refused(rig, {{"type", "feature_mask"}, {"fill", "median"}}, "noise[3].fill");
  testing::HookRig images(testing::image_info(1, 8, 8),
                          {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(images, {{"type", "feature_mask"}}, "use cutout or random_erasing");
  testing::HookRig no_rows(testing::tabular_info(4), kLinear);
  testing::expect_refused(no_rows, {{"type", "feature_mask"}, {"fill", "mean"}}, "training rows");
  EXPECT_NO_THROW(no_rows.hook({{"type", "feature_mask"}}));
}

}  // namespace
}  // namespace dither
