#include <gtest/gtest.h>

#include <cmath>

#include "augment/mixup.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "mixing_testing.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "linear"}, {"out", 4}}};

// A batch of b samples with 3 features: sample i holds the values i, i, i and class i % 4.
Batch indexed_batch(const testing::HookRig& rig, std::int64_t b) {
  Tensor x = Tensor::empty({b, 3});
  Tensor y = Tensor::empty({b});
  for (std::int64_t i = 0; i < b; ++i) {
    for (std::int64_t j = 0; j < 3; ++j) x.ptr()[i * 3 + j] = static_cast<float>(i);
    y.ptr()[i] = static_cast<float>(i % 4);
  }
  return rig.batch(x, y);
}

TEST(MixupTest, MixesInputsTargetsAndLengthsWithThePartner) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  Batch batch = indexed_batch(rig, 3);
  batch.lengths = Tensor::from({3, 1, 2}, {3});
  MixPlan plan;
  plan.partner = {1, 2, 2};
  plan.lam = {0.75f, 0.5f, 0.2f};
  const Batch out = mixup_batch(batch, plan);
  // x: 0.75 * 0 + 0.25 * 1; 0.5 * 1 + 0.5 * 2; sample 2 with itself.
  EXPECT_EQ(out.inputs.to_vector(),
            (std::vector<float>{0.25f, 0.25f, 0.25f, 1.5f, 1.5f, 1.5f, 2, 2, 2}));
  EXPECT_EQ(out.targets.to_vector(),
            (std::vector<float>{0.75f, 0.25f, 0, 0, 0, 0.5f, 0.5f, 0, 0, 0, 1, 0}));
  EXPECT_EQ(out.lengths.to_vector(), (std::vector<float>{3, 2, 2}));
  EXPECT_EQ(batch.inputs.to_vector()[3], 1.0f);  // the input batch is left alone
  EXPECT_FALSE(batch.soft_targets());
}

TEST(MixupHookTest, MixedInputsMatchTheTargetsWeights) {
  // Every input is a function of its own target row: x_i = i, class i. After mixing, the input
  // must be sum_k t_k * k, the same weights.
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  for (const char* mode : {"batch", "sample"}) {
    auto hook = rig.hook({{"type", "mixup"}, {"mode", mode}});
    Batch batch = indexed_batch(rig, 4);
    const Batch out = rig.on_batch(*hook, batch, 11);
    ASSERT_TRUE(testing::rows_are_distributions(out.targets));
    for (std::int64_t i = 0; i < 4; ++i) {
      double expected = 0.0;
      for (std::int64_t k = 0; k < 4; ++k) expected += out.targets.ptr()[i * 4 + k] * k;
      EXPECT_NEAR(out.inputs.ptr()[i * 3], expected, 1e-5) << mode << " sample " << i;
    }
  }
}

TEST(MixupHookTest, BatchModeSharesOneLambdaAndSampleModeDoesNot) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  auto count_distinct_self_weights = [&](const char* mode) {
    auto hook = rig.hook({{"type", "mixup"}, {"mode", mode}});
    const Batch out = rig.on_batch(*hook, indexed_batch(rig, 64), 5);
    std::vector<float> own;
    for (std::int64_t i = 0; i < 64; ++i) {
      const float w = out.targets.ptr()[i * 4 + i % 4];
      // A partner of the same class adds to the own weight; count only other-class pairs.
      if (w < 0.999f) own.push_back(std::max(w, 1.0f - w));
    }
    std::sort(own.begin(), own.end());
    return std::unique(own.begin(), own.end(),
                       [](float a, float b) { return std::abs(a - b) < 1e-6f; }) -
           own.begin();
  };
  EXPECT_EQ(count_distinct_self_weights("batch"), 1);
  EXPECT_GT(count_distinct_self_weights("sample"), 30);
}

TEST(MixupHookTest, OddAndSizeOneBatchesWork) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  auto hook = rig.hook({{"type", "mixup"}});
  const Batch one = indexed_batch(rig, 1);
  const Batch mixed_one = rig.on_batch(*hook, one, 0);
  EXPECT_EQ(mixed_one.inputs.to_vector(), one.inputs.to_vector());
  EXPECT_EQ(mixed_one.targets.to_vector(), (std::vector<float>{1, 0, 0, 0}));
  const Batch odd = rig.on_batch(*hook, indexed_batch(rig, 5), 0);
  EXPECT_EQ(odd.inputs.shape(), (Shape{5, 3}));
  EXPECT_TRUE(testing::rows_are_distributions(odd.targets));
}

TEST(MixupHookTest, AlphaZeroAndPZeroLeaveTheBatchAlone) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  for (const nlohmann::json& spec : {nlohmann::json{{"type", "mixup"}, {"alpha", 0.0}},
                                     nlohmann::json{{"type", "mixup"}, {"p", 0.0}}}) {
    auto hook = rig.hook(spec);
    const Batch batch = indexed_batch(rig, 8);
    for (std::int64_t step = 0; step < 20; ++step) {
      const Batch out = rig.on_batch(*hook, batch, step);
      EXPECT_EQ(out.inputs.ptr(), batch.inputs.ptr()) << spec.dump();
      EXPECT_FALSE(out.soft_targets()) << spec.dump();
    }
  }
}

TEST(MixupHookTest, PAppliesToAboutThatFractionOfBatches) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  auto hook = rig.hook({{"type", "mixup"}, {"p", 0.3}});
  int fired = 0;
  for (std::int64_t step = 0; step < 1000; ++step) {
    fired += rig.on_batch(*hook, indexed_batch(rig, 4), step).soft_targets();
  }
  // Binomial(1000, 0.3): standard deviation 14.5.
  EXPECT_NEAR(fired, 300, 60);
}

TEST(MixupHookTest, RampRaisesAlphaFromZero) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  auto hook = rig.hook({{"type", "mixup"}, {"alpha", 1.0}, {"ramp_epochs", 2}});
  StepContext start = rig.context(0, 0);
  start.batch_index = 0;
  Batch batch = indexed_batch(rig, 4);
  hook->on_batch(start, batch);
  EXPECT_FALSE(batch.soft_targets());  // alpha 0 at the start of the ramp
  StepContext later = rig.context(1, 1);
  later.batch_index = 0;
  hook->on_batch(later, batch);
  EXPECT_TRUE(batch.soft_targets());
}

TEST(MixupHookTest, SameForASeedAndStepOtherForAnotherStepSameAtOneAndTwoThreads) {
  testing::HookRig rig(testing::image_info(1, 16, 16, 4),
                       {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 4}}});
  auto hook = rig.hook({{"type", "mixup"}, {"mode", "sample"}});
  const Batch batch = rig.batch(Tensor::rand({9, 1, 16, 16}, RandomStream(1, "x")),
                                Tensor::from({0, 1, 2, 3, 0, 1, 2, 3, 0}, {9}));
  const int threads = num_threads();
  set_num_threads(1);
  const Batch one = rig.on_batch(*hook, batch, 3);
  set_num_threads(2);
  const Batch two = rig.on_batch(*hook, batch, 3);
  set_num_threads(threads);
  EXPECT_EQ(one.inputs.to_vector(), two.inputs.to_vector());
  EXPECT_EQ(one.targets.to_vector(), two.targets.to_vector());
  EXPECT_EQ(rig.on_batch(*hook, batch, 3).inputs.to_vector(), one.inputs.to_vector());
  EXPECT_NE(rig.on_batch(*hook, batch, 4).inputs.to_vector(), one.inputs.to_vector());
}

TEST(MixupHookTest, JsonRoundTripFillsDefaults) {
  testing::HookRig rig(testing::tabular_info(3, 4), kLinear);
  auto hook = rig.hook({{"type", "mixup"}});
  const nlohmann::json spec = hook->to_json();
  EXPECT_EQ(
      spec,
      (nlohmann::json{
          {"type", "mixup"}, {"alpha", 1.0}, {"mode", "batch"}, {"p", 1.0}, {"ramp_epochs", 0.0}}));
  EXPECT_EQ(rig.hook(spec)->to_json(), spec);
  auto sample = rig.hook({{"type", "mixup"}, {"alpha", 0.4}, {"mode", "sample"}, {"p", 0.5}});
  EXPECT_EQ(rig.hook(sample->to_json())->to_json(), sample->to_json());
}

TEST(MixupHookTest, RefusesTokenIdsAndBadOptionsNamingThePath) {
  InputInfo tokens = testing::tabular_info(3, 4);
  tokens.kind = InputKind::tokens;
  testing::HookRig rig(tokens, kLinear);
  const std::string message = testing::config_error([&] {
    rig.hook({{"type", "mixup"}}, "noise[2]");
  });
  EXPECT_NE(message.find("noise[2]"), std::string::npos) << message;
  EXPECT_NE(message.find("manifold_mixup"), std::string::npos) << message;
  testing::HookRig ok(testing::tabular_info(3, 4), kLinear);
  EXPECT_NE(testing::config_error([&] {
              ok.hook({{"type", "mixup"}, {"mode", "pair"}});
            }).find("noise[0].mode"),
            std::string::npos);
  EXPECT_NE(testing::config_error([&] {
              ok.hook({{"type", "mixup"}, {"alpha", -1}});
            }).find("noise[0].alpha"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
