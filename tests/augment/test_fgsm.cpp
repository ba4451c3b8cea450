#include <gtest/gtest.h>

#include <cmath>

#include "augment/fgsm.h"
#include "core/autograd.h"
#include "core/random.h"
#include "hook_testing.h"

namespace dither {
namespace {

TEST(FgsmTest, StepsEpsAlongTheGradientSignInsideTheValidRange) {
  const Tensor x = Tensor::rand({1000}, RandomStream(1, "x"));
  const Tensor g = Tensor::randn({1000}, RandomStream(2, "g"));
  const float eps = 0.1f;
  const Tensor adv = fgsm_perturb(x, g, eps, 0.0f, 1.0f);
  for (std::int64_t i = 0; i < 1000; ++i) {
    const float xi = x.data()[i];
    const float ai = adv.data()[i];
    ASSERT_GE(ai, 0.0f);
    ASSERT_LE(ai, 1.0f);
    ASSERT_LE(std::abs(ai - xi), eps + 1e-6f);  // inside the eps ball
    const float expected = std::clamp(xi + (g.data()[i] > 0 ? eps : -eps), 0.0f, 1.0f);
    ASSERT_FLOAT_EQ(ai, expected);
  }
}

TEST(FgsmTest, ZeroGradientLeavesTheInput) {
  const Tensor x = Tensor::from({0.2f, 0.8f}, {2});
  EXPECT_EQ(fgsm_perturb(x, Tensor::zeros({2}), 0.3f, 0.0f, 1.0f).to_vector(), x.to_vector());
}

// A model with BatchNorm and dropout: the layers whose state or noise an extra pass could disturb.
const nlohmann::json kNoisyBnModel = {{{"type", "linear"}, {"out", 8}},
                                      {{"type", "batch_norm1d"}},
                                      {{"type", "relu"}},
                                      {{"type", "dropout"}, {"p", 0.3}},
                                      {{"type", "linear"}, {"out", 3}}};

Batch random_batch(const testing::HookRig& rig, std::uint64_t seed) {
  return rig.batch(Tensor::rand({16, 5}, RandomStream(seed, "x")),
                   Tensor::from({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, {16}));
}

TEST(ExtraPassesTest, LeaveRunningStatisticsGradientsAndModesUntouched) {
  for (PassMode mode : {PassMode::eval, PassMode::train, PassMode::mc}) {
    testing::HookRig rig(testing::tabular_info(5), kNoisyBnModel);
    rig.model().train();
    const NamedTensors before = rig.model().state_dict();
    StepContext ctx = rig.context(3);
    const Batch batch = random_batch(rig, 1);
    const Tensor g = ctx.input_gradient(
        batch.inputs, [&](const Tensor& logits) { return ctx.loss(logits, batch.targets); }, mode);
    ctx.forward(batch.inputs, mode);
    EXPECT_EQ(g.shape(), batch.inputs.shape());
    const NamedTensors after = rig.model().state_dict();
    for (std::size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i].second.to_vector(), after[i].second.to_vector())
          << before[i].first << " changed in a " << to_string(mode) << " pass";
    }
    for (const Tensor& p : rig.model().parameters()) EXPECT_FALSE(p.grad().defined());
    EXPECT_TRUE(rig.model().is_training());
  }
}

TEST(ExtraPassesTest, InputGradientMatchesFiniteDifferences) {
  testing::HookRig rig(testing::tabular_info(5), kNoisyBnModel);
  StepContext ctx = rig.context(0);
  const Batch batch = random_batch(rig, 2);
  auto f = [&](const Tensor& logits) { return ctx.loss(logits, batch.targets); };
  const Tensor g = ctx.input_gradient(batch.inputs, f, PassMode::eval);
  for (std::int64_t i : {0, 7, 33, 79}) {
    Tensor plus = batch.inputs.clone();
    Tensor minus = batch.inputs.clone();
    plus.ptr()[i] += 1e-2f;
    minus.ptr()[i] -= 1e-2f;
    NoGradGuard no_grad;
    const double numeric = (f(ctx.forward(plus, PassMode::eval)).item() -
                            f(ctx.forward(minus, PassMode::eval)).item()) /
                           2e-2;
    EXPECT_NEAR(g.ptr()[i], numeric, 2e-3) << "element " << i;
  }
}

TEST(FgsmHookTest, AdversarialTermIsPartOfTheOneLoss) {
  testing::HookRig rig(testing::tabular_info(5), kNoisyBnModel);
  auto hook = rig.hook({{"type", "fgsm"}, {"eps", 0.1}, {"weight", 0.5}});
  StepContext ctx = rig.context(0);
  Batch batch = random_batch(rig, 3);
  hook->on_batch(ctx, batch);
  rig.model().train();
  rig.model().set_noise_clock(NoiseClock{7, 0, kTrainPass});
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor clean = ctx.loss(logits, batch.targets);
  const Tensor total = hook->on_loss(ctx, batch, logits, clean);
  // The adversarial loss is larger than the clean one, so the mix is too.
  EXPECT_GT(total.item(), clean.item());
  total.backward();
  for (const Tensor& p : rig.model().parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(FgsmHookTest, WeightOneReplacesTheBatchInsideTheEpsBallAndRange) {
  InputInfo info = testing::tabular_info(5);
  info.low = 0.0f;
  info.high = 1.0f;
  testing::HookRig rig(info, kNoisyBnModel);
  auto hook = rig.hook({{"type", "fgsm"}, {"eps", 0.2}, {"weight", 1.0}});
  StepContext ctx = rig.context(0);
  Batch batch = random_batch(rig, 4);
  const Tensor x = batch.inputs;
  hook->on_batch(ctx, batch);
  std::int64_t moved = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const float d = std::abs(batch.inputs.ptr()[i] - x.ptr()[i]);
    ASSERT_LE(d, 0.2f + 1e-6f);
    ASSERT_GE(batch.inputs.ptr()[i], 0.0f);
    ASSERT_LE(batch.inputs.ptr()[i], 1.0f);
    moved += d > 0.0f;
  }
  EXPECT_GT(moved, x.numel() / 2);
}

}  // namespace
}  // namespace dither
