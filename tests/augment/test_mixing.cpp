#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "augment/mixing.h"
#include "core/error.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "mixing_testing.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

std::vector<double> lambdas(const MixPlan& plan) { return {plan.lam.begin(), plan.lam.end()}; }

TEST(MixPlanTest, PerSampleLambdaHasTheMomentsOfBeta) {
  const std::int64_t n = 40'000;
  for (double alpha : {0.4, 1.0, 2.0}) {
    const MixPlan plan = draw_mix_plan(RandomStream(3, "plan"), n, alpha, MixMode::sample);
    const testing::Moments measured = testing::moments(lambdas(plan));
    const testing::Moments expected = testing::beta_moments(alpha);
    // Standard errors: sqrt(var / n) <= 0.0019 for the mean, below 0.0007 for the variance.
    EXPECT_NEAR(measured.mean, expected.mean, 0.008) << "alpha " << alpha;
    EXPECT_NEAR(measured.variance, expected.variance, 0.003) << "alpha " << alpha;
  }
}

TEST(MixPlanTest, BatchModeDrawsOneLambdaPerBatchWithTheMomentsOfBeta) {
  std::vector<double> per_batch;
  for (std::uint64_t step = 0; step < 4000; ++step) {
    const MixPlan plan = draw_mix_plan(RandomStream(4, "plan", {step}), 7, 1.0, MixMode::batch);
    ASSERT_TRUE(
        std::all_of(plan.lam.begin(), plan.lam.end(), [&](float l) { return l == plan.lam[0]; }));
    per_batch.push_back(plan.lam[0]);
  }
  const testing::Moments measured = testing::moments(per_batch);
  // n = 4000: standard errors 0.0046 (mean) and 0.0012 (variance).
  EXPECT_NEAR(measured.mean, 0.5, 0.02);
  EXPECT_NEAR(measured.variance, 1.0 / 12.0, 0.006);
}

TEST(MixPlanTest, PartnersArePermutationsAndAlphaZeroKeepsEverySample) {
  for (std::int64_t b : {1, 2, 5, 64}) {
    const MixPlan plan = draw_mix_plan(RandomStream(5, "plan"), b, 0.0, MixMode::sample);
    std::vector<std::int64_t> sorted = plan.partner;
    std::sort(sorted.begin(), sorted.end());
    for (std::int64_t i = 0; i < b; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
    EXPECT_TRUE(std::all_of(plan.lam.begin(), plan.lam.end(), [](float l) { return l == 1.0f; }));
  }
}

MixPlan fixed_plan() {
  MixPlan plan;
  plan.partner = {2, 0, 1};
  plan.lam = {0.25f, 0.5f, 1.0f};
  return plan;
}

TEST(MixRowsTest, MixesEachRowWithItsPartner) {
  const Tensor x = Tensor::from({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor y = mix_rows(x, fixed_plan());
  // row 0: 0.25 [1, 2] + 0.75 [5, 6]; row 1: 0.5 [3, 4] + 0.5 [1, 2]; row 2: itself.
  EXPECT_EQ(y.to_vector(), (std::vector<float>{4, 5, 2, 3, 5, 6}));
  EXPECT_EQ(x.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(MixRowsTest, ASampleMixedWithItselfIsUnchangedBitForBit) {
  const Tensor x = testing::random_uniform({1, 50}, -3.0f, 3.0f, 9);
  MixPlan plan;
  plan.partner = {0};
  plan.lam = {0.3141f};
  EXPECT_EQ(mix_rows(x, plan).to_vector(), x.to_vector());
}

TEST(MixRowsTest, GradientMatchesFiniteDifferences) {
  const MixPlan plan = fixed_plan();
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return mix_rows(in[0], plan); },
                                 {testing::random_uniform({3, 2, 2}, -1.0f, 1.0f, 10)}));
}

TEST(MixTargetsTest, ClassIdsBecomeMixedRowsAndSoftRowsMixAsRows) {
  const Tensor ids = Tensor::from({0, 1, 2}, {3});
  const Tensor mixed = mix_targets(ids, 3, fixed_plan());
  EXPECT_EQ(mixed.to_vector(), (std::vector<float>{0.25f, 0, 0.75f, 0.5f, 0.5f, 0, 0, 0, 1}));
  const Tensor twice = mix_targets(mixed, 3, fixed_plan());
  EXPECT_TRUE(testing::rows_are_distributions(twice));
  // row 0: 0.25 [0.25, 0, 0.75] + 0.75 [0, 0, 1]; row 1: 0.5 [0.5, 0.5, 0] + 0.5 [0.25, 0, 0.75].
  const std::vector<float> expected{0.0625f, 0, 0.9375f, 0.375f, 0.25f, 0.375f, 0, 0, 1};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(twice.to_vector()[i], expected[i], 1e-6) << i;
  }
}

TEST(MixingSetupTest, RefusesLossesWithoutSoftTargetsAndDataWithoutClasses) {
  LossOptions nll;
  nll.type = "nll";
  testing::HookRig rig(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}}, 7, nll);
  const std::string message = testing::config_error([&] { rig.hook({{"type", "mixup"}}); });
  EXPECT_NE(message.find("noise[0]"), std::string::npos) << message;
  EXPECT_NE(message.find("'nll'"), std::string::npos) << message;
  testing::HookRig regression(testing::tabular_info(4, 0), {{{"type", "linear"}, {"out", 1}}});
  EXPECT_THROW(regression.hook({{"type", "mixup"}}), ConfigError);
}

}  // namespace
}  // namespace dither
