#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "augment/manifold_mixup.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "mixing_testing.h"

namespace dither {
namespace {

// Positions: 0 input, 2 after tanh, 4 after relu (the defaults); 6 classes for 5 samples, so
// every sample's class is its own and the mixing plan can be read back from the targets.
const nlohmann::json kMlp = {{{"type", "linear"}, {"out", 8}},
                             {{"type", "tanh"}},
                             {{"type", "linear"}, {"out", 6}},
                             {{"type", "relu"}},
                             {{"type", "linear"}, {"out", 6}}};

Batch distinct_classes(const testing::HookRig& rig, std::uint64_t seed = 1) {
  return rig.batch(Tensor::randn({5, 4}, RandomStream(seed, "x")),
                   Tensor::from({0, 1, 2, 3, 4}, {5}));
}

// The training forward of step `step`: what the trainer runs between on_batch and on_loss.
Tensor training_forward(testing::HookRig& rig, const Tensor& x, std::int64_t step) {
  rig.model().train();
  rig.model().set_noise_clock(NoiseClock{7, step, kTrainPass});
  return rig.model().forward(x);
}

// The plan a row of mixed targets encodes when every sample has its own class.
MixPlan plan_from_targets(const Tensor& targets) {
  MixPlan plan;
  const std::int64_t k = targets.size(1);
  for (std::int64_t i = 0; i < targets.size(0); ++i) {
    const float* row = targets.ptr() + i * k;
    std::int64_t partner = i;
    for (std::int64_t j = 0; j < k; ++j) {
      if (j != i && row[j] > 0.0f) partner = j;
    }
    plan.partner.push_back(partner);
    plan.lam.push_back(partner == i ? 1.0f : row[i]);
  }
  return plan;
}

// Layers [from, to) of the model on h, by hand.
Tensor run_layers(Sequential& model, Tensor h, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) h = model[i].forward(h);
  return h;
}

TEST(ManifoldMixupTest, DefaultPositionsAreTheInputAndEachHiddenLayer) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  EXPECT_EQ(default_mix_positions(rig.model(), false), (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_EQ(default_mix_positions(rig.model(), true), (std::vector<std::size_t>{2, 4}));
  auto hook = rig.hook({{"type", "manifold_mixup"}});
  EXPECT_EQ(dynamic_cast<ManifoldMixupHook&>(*hook).positions(),
            (std::vector<std::size_t>{0, 2, 4}));
}

TEST(ManifoldMixupHookTest, MixesTheHiddenStateAndTheTargetsWithOnePlan) {
  for (std::size_t position : {0u, 2u, 4u}) {
    testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
    auto hook =
        rig.hook({{"type", "manifold_mixup"}, {"layers", nlohmann::json::array({position})}});
    StepContext ctx = rig.context(3);
    Batch batch = distinct_classes(rig);
    hook->on_batch(ctx, batch);
    ASSERT_TRUE(testing::rows_are_distributions(batch.targets));
    EXPECT_EQ(rig.model().hidden_transform_position(), position);
    const Tensor logits = training_forward(rig, batch.inputs, 3);
    const MixPlan plan = plan_from_targets(batch.targets);
    // The expected logits: the first layers, the plan's mix written out, the other layers.
    const Tensor h = run_layers(rig.model(), batch.inputs, 0, position);
    Tensor mixed = Tensor::empty(h.shape());
    const std::int64_t row = h.numel() / 5;
    for (std::int64_t i = 0; i < 5; ++i) {
      const float lam = plan.lam[static_cast<std::size_t>(i)];
      const std::int64_t j = plan.partner[static_cast<std::size_t>(i)];
      for (std::int64_t c = 0; c < row; ++c) {
        mixed.ptr()[i * row + c] = lam * h.ptr()[i * row + c] + (1 - lam) * h.ptr()[j * row + c];
      }
    }
    const Tensor expected = run_layers(rig.model(), mixed, position, rig.model().size());
    for (std::int64_t i = 0; i < logits.numel(); ++i) {
      EXPECT_NEAR(logits.ptr()[i], expected.ptr()[i], 1e-5) << "position " << position;
    }
    hook->on_loss(ctx, batch, logits, Tensor::scalar(0.0f));
    EXPECT_FALSE(rig.model().hidden_transform_position().has_value());
  }
}

TEST(ManifoldMixupHookTest, ExtraPassesEvaluationAndOtherStepsDoNotSeeTheMix) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto hook = rig.hook({{"type", "manifold_mixup"}, {"layers", nlohmann::json::array({2})}});
  Batch batch = distinct_classes(rig);
  const std::vector<float> plain = training_forward(rig, batch.inputs, 3).to_vector();
  StepContext ctx = rig.context(3);
  hook->on_batch(ctx, batch);
  EXPECT_EQ(ctx.forward(batch.inputs, PassMode::train).to_vector(), plain);
  EXPECT_EQ(ctx.forward(batch.inputs, PassMode::eval).to_vector(), plain);
  rig.model().eval();
  EXPECT_EQ(rig.model().forward(batch.inputs).to_vector(), plain);
  EXPECT_EQ(training_forward(rig, batch.inputs, 4).to_vector(), plain);
  EXPECT_NE(training_forward(rig, batch.inputs, 3).to_vector(), plain);  // the check can fail
}

TEST(ManifoldMixupHookTest, PicksEachListedPositionEquallyOften) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto hook = rig.hook({{"type", "manifold_mixup"}, {"layers", {0, 2, 4}}});
  std::map<std::size_t, int> counts;
  for (std::int64_t step = 0; step < 3000; ++step) {
    StepContext ctx = rig.context(step);
    Batch batch = distinct_classes(rig);
    hook->on_batch(ctx, batch);
    ++counts[*rig.model().hidden_transform_position()];
  }
  ASSERT_EQ(counts.size(), 3u);
  // Binomial(3000, 1/3): standard deviation 25.8.
  for (const auto& [position, n] : counts) EXPECT_NEAR(n, 1000, 110) << position;
}

TEST(ManifoldMixupHookTest, GradientThroughTheMixMatchesFiniteDifferences) {
  const nlohmann::json smooth = {
      {{"type", "linear"}, {"out", 4}}, {{"type", "tanh"}}, {{"type", "linear"}, {"out", 6}}};
  testing::HookRig rig(testing::tabular_info(3, 6), smooth);
  auto hook = rig.hook(
      {{"type", "manifold_mixup"}, {"layers", nlohmann::json::array({2})}, {"mode", "sample"}});
  StepContext ctx = rig.context(5);
  Batch batch =
      rig.batch(testing::random_uniform({4, 3}, -1.0f, 1.0f, 3), Tensor::from({0, 1, 2, 3}, {4}));
  hook->on_batch(ctx, batch);
  rig.model().train();
  rig.model().set_noise_clock(NoiseClock{7, 5, kTrainPass});
  EXPECT_TRUE(testing::layer_gradcheck(rig.model(), batch.inputs));
}

TEST(ManifoldMixupHookTest, AlphaZeroAndPZeroInstallNothing) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  for (const nlohmann::json& spec : {nlohmann::json{{"type", "manifold_mixup"}, {"alpha", 0.0}},
                                     nlohmann::json{{"type", "manifold_mixup"}, {"p", 0.0}}}) {
    auto hook = rig.hook(spec);
    for (std::int64_t step = 0; step < 10; ++step) {
      StepContext ctx = rig.context(step);
      Batch batch = distinct_classes(rig);
      hook->on_batch(ctx, batch);
      EXPECT_FALSE(batch.soft_targets());
      EXPECT_FALSE(rig.model().hidden_transform_position().has_value());
    }
  }
}

TEST(ManifoldMixupHookTest, PAppliesToAboutThatFractionOfBatches) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto hook = rig.hook({{"type", "manifold_mixup"}, {"p", 0.5}});
  int fired = 0;
  for (std::int64_t step = 0; step < 1000; ++step) {
    StepContext ctx = rig.context(step);
    Batch batch = distinct_classes(rig);
    hook->on_batch(ctx, batch);
    fired += batch.soft_targets();
  }
  EXPECT_NEAR(fired, 500, 60);  // Binomial(1000, 0.5): standard deviation 15.8
}

TEST(ManifoldMixupHookTest, SizeOneBatchAndSameResultAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto hook = rig.hook({{"type", "manifold_mixup"}, {"mode", "sample"}});
  Batch single = rig.batch(Tensor::randn({1, 4}, RandomStream(3, "x")), Tensor::from({2}, {1}));
  const std::vector<float> plain = training_forward(rig, single.inputs, 0).to_vector();
  StepContext ctx = rig.context(0);
  hook->on_batch(ctx, single);
  EXPECT_EQ(training_forward(rig, single.inputs, 0).to_vector(), plain);
  EXPECT_EQ(single.targets.to_vector(), (std::vector<float>{0, 0, 1, 0, 0, 0}));

  auto mixed_logits = [&](int threads) {
    set_num_threads(threads);
    StepContext c = rig.context(9);
    Batch batch = rig.batch(Tensor::randn({33, 4}, RandomStream(4, "x")), Tensor::zeros({33}));
    hook->on_batch(c, batch);
    return training_forward(rig, batch.inputs, 9).to_vector();
  };
  const int threads = num_threads();
  const std::vector<float> one = mixed_logits(1);
  const std::vector<float> two = mixed_logits(2);
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(ManifoldMixupHookTest, JsonRoundTripResolvesTheDefaultPositions) {
  const auto unset = ManifoldMixupHook::from_json({{"type", "manifold_mixup"}}, "noise[0]");
  EXPECT_EQ(unset->to_json(), (nlohmann::json{{"type", "manifold_mixup"},
                                              {"alpha", 2.0},
                                              {"layers", nullptr},
                                              {"mode", "batch"},
                                              {"p", 1.0},
                                              {"ramp_epochs", 0.0}}));
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto hook = rig.hook({{"type", "manifold_mixup"}});
  EXPECT_EQ(hook->to_json()["layers"], nlohmann::json({0, 2, 4}));
  EXPECT_EQ(rig.hook(hook->to_json())->to_json(), hook->to_json());
}

TEST(ManifoldMixupHookTest, RefusesPositionsTheModelDoesNotHave) {
  testing::HookRig rig(testing::tabular_info(4, 6), kMlp);
  auto error = [&](const nlohmann::json& layers) {
    return testing::config_error([&] {
      rig.hook({{"type", "manifold_mixup"}, {"layers", layers}}, "noise[1]");
    });
  };
  EXPECT_NE(error({0, 5}).find("noise[1].layers[1]"), std::string::npos);
  EXPECT_NE(error({2, 2}).find("listed twice"), std::string::npos);
  EXPECT_NE(error(nlohmann::json::array()).find("noise[1].layers"), std::string::npos);
  EXPECT_NE(error(nlohmann::json::array({-1})).find("noise[1].layers"), std::string::npos);
  InputInfo tokens = testing::tabular_info(4, 6);
  tokens.kind = InputKind::tokens;
  testing::HookRig token_rig(tokens, kMlp);
  EXPECT_NE(testing::config_error([&] {
              token_rig.hook({{"type", "manifold_mixup"}, {"layers", {0, 2}}});
            }).find("noise[0].layers[0]"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
