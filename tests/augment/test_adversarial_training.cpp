#include <gtest/gtest.h>

#include <cmath>

#include "attack_testing.h"
#include "augment/adversarial_training.h"
#include "augment/free_at.h"
#include "core/autograd.h"
#include "core/ops/loss.h"
#include "core/random.h"
#include "hook_checks.h"

namespace dither {
namespace {

using testing::kNoisyBnModel;
using testing::random_batch;
using testing::unit_range_info;

void expect_in_linf_ball(const Tensor& adv, const Tensor& x, float eps) {
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    ASSERT_LE(std::abs(adv.ptr()[i] - x.ptr()[i]), eps + 1e-6f) << i;
    ASSERT_GE(adv.ptr()[i], 0.0f);
    ASSERT_LE(adv.ptr()[i], 1.0f);
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

// One step as the trainer runs it: on_batch, the training forward, on_loss. Returns the loss and
// the number of extra passes the hook ran.
std::pair<Tensor, std::uint64_t> fgsm_step(testing::HookRig& rig, Hook& hook, const Batch& input) {
  StepContext ctx = rig.context(0);
  Batch batch = input;
  hook.on_batch(ctx, batch);
  rig.model().train();
  rig.model().set_noise_clock(NoiseClock{7, 0, kTrainPass});
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor total = hook.on_loss(ctx, batch, logits, ctx.loss(logits, batch.targets));
  EXPECT_FALSE(batch.inputs.requires_grad()) << "the step's backward would reach the inputs";
  return {total, ctx.passes->passes_used()};
}

TEST(FgsmHookTest, TakesTheAttackGradientFromTheTrainingForwardWhereItServes) {
  testing::HookRig rig(unit_range_info(), testing::kPlainModel);
  const Batch batch = random_batch(rig, 5);
  const nlohmann::json spec{{"type", "fgsm"}, {"eps", 0.1}, {"weight", 0.5}};
  auto reusing = rig.hook(spec);
  auto separate = rig.hook(spec);
  dynamic_cast<AdversarialTrainingHook&>(*separate).set_forward_reuse(false);
  const auto [reused_loss, reused_passes] = fgsm_step(rig, *reusing, batch);
  const auto [separate_loss, separate_passes] = fgsm_step(rig, *separate, batch);
  EXPECT_EQ(reused_passes, 1u);  // the adversarial forward only
  EXPECT_EQ(separate_passes, 2u);
  EXPECT_EQ(reused_loss.item(), separate_loss.item());
  // Where the attack's eval pass differs from the training forward, it keeps its own pass.
  testing::HookRig noisy(unit_range_info(), kNoisyBnModel);
  EXPECT_EQ(fgsm_step(noisy, *noisy.hook(spec), random_batch(noisy, 5)).second, 2u);
}

TEST(FgsmHookTest, WeightOneRunsTheAttackPassAloneAndAddsNoCleanLoss) {
  testing::HookRig rig(unit_range_info(), testing::kPlainModel);
  for (const char* type : {"fgsm", "fgsm_rs"}) {
    auto hook = rig.hook({{"type", type}, {"eps", 0.1}, {"weight", 1.0}});
    StepContext ctx = rig.context(0);
    Batch batch = random_batch(rig, 6);
    hook->on_batch(ctx, batch);
    EXPECT_EQ(ctx.passes->passes_used(), 1u) << type;  // the attack's input gradient
    EXPECT_FALSE(batch.inputs.requires_grad()) << type;
    const Tensor logits = rig.model().forward(batch.inputs);
    const Tensor loss = ctx.loss(logits, batch.targets);
    const Tensor total = hook->on_loss(ctx, batch, logits, loss);
    EXPECT_EQ(total.ptr(), loss.ptr()) << type;  // the step's one loss, on x_adv
    EXPECT_EQ(ctx.passes->passes_used(), 1u) << type;
  }
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

TEST(AdversarialTrainingHookTest, PresetsFillInTheirPublishedSteps) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  const nlohmann::json fgsm = rig.hook({{"type", "fgsm"}, {"eps", 0.1}})->to_json();
  EXPECT_DOUBLE_EQ(fgsm["alpha"], 0.1);
  EXPECT_EQ(fgsm["steps"], 1);
  EXPECT_EQ(fgsm["random_start"], false);
  EXPECT_EQ(fgsm["weight"], 0.5);
  const nlohmann::json rs = rig.hook({{"type", "fgsm_rs"}, {"eps", 0.1}})->to_json();
  EXPECT_DOUBLE_EQ(rs["alpha"], 0.125);  // Wong et al.: 1.25 eps
  EXPECT_EQ(rs["random_start"], true);
  EXPECT_EQ(rs["weight"], 1.0);
  const nlohmann::json pgd = rig.hook({{"type", "pgd"}, {"eps", 0.1}, {"steps", 10}})->to_json();
  EXPECT_DOUBLE_EQ(pgd["alpha"], 0.025);  // Madry et al.: 2.5 eps / steps
  EXPECT_EQ(pgd["attack_mode"], "eval");
  for (const char* type : {"fgsm", "fgsm_rs", "pgd", "trades", "free_at"}) {
    testing::expect_round_trip(rig, {{"type", type}, {"eps", 0.05}, {"ramp_epochs", 2}});
  }
}

TEST(AdversarialTrainingHookTest, EveryAttackStaysInTheBallAndRange) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  const Batch batch = random_batch(rig, 11);
  for (const char* type : {"fgsm", "fgsm_rs", "pgd"}) {
    auto hook = rig.hook({{"type", type}, {"eps", 0.1}, {"weight", 1.0}});
    const Tensor adv = testing::noised(rig, *hook, batch, 3);
    expect_in_linf_ball(adv, batch.inputs, 0.1f);
    EXPECT_NE(adv.to_vector(), batch.inputs.to_vector()) << type;
  }
}

TEST(AdversarialTrainingHookTest, RandomStartMakesFgsmRsDifferFromFgsm) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  const Batch batch = random_batch(rig, 12);
  const Tensor plain =
      testing::noised(rig, *rig.hook({{"type", "fgsm"}, {"eps", 0.1}, {"weight", 1.0}}), batch, 0);
  const Tensor rs = testing::noised(rig, *rig.hook({{"type", "fgsm_rs"}, {"eps", 0.1}}), batch, 0);
  std::int64_t interior = 0;  // plain FGSM lands on the ball's corners (or the range's edge)
  for (std::int64_t i = 0; i < rs.numel(); ++i) {
    const float d = std::abs(rs.ptr()[i] - batch.inputs.ptr()[i]);
    interior += d > 1e-4f && d < 0.1f - 1e-4f && rs.ptr()[i] > 0.0f && rs.ptr()[i] < 1.0f;
  }
  EXPECT_NE(plain.to_vector(), rs.to_vector());
  EXPECT_GT(interior, rs.numel() / 10);
}

TEST(AdversarialTrainingHookTest, DeterministicRateAndRamp) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  const Batch batch = random_batch(rig, 13);
  testing::expect_deterministic(rig, {{"type", "pgd"}, {"eps", 0.1}, {"steps", 3}}, batch);
  testing::expect_fires_at_rate_p(rig, {{"type", "fgsm_rs"}, {"eps", 0.1}}, batch);
  // A ramp over 2 epochs: nothing moves at the start, and at epoch 1 half the eps ball is used.
  auto ramped = rig.hook({{"type", "fgsm"}, {"eps", 0.2}, {"weight", 1.0}, {"ramp_epochs", 2}});
  StepContext start = rig.context(0, 0);
  Batch b0 = batch;
  ramped->on_batch(start, b0);
  EXPECT_EQ(b0.inputs.ptr(), batch.inputs.ptr());
  StepContext halfway = rig.context(1, 1);
  halfway.batches_per_epoch = 1;
  halfway.batch_index = 0;
  Batch b1 = batch;
  ramped->on_batch(halfway, b1);
  float largest = 0.0f;
  for (std::int64_t i = 0; i < batch.inputs.numel(); ++i) {
    largest = std::max(largest, std::abs(b1.inputs.ptr()[i] - batch.inputs.ptr()[i]));
  }
  EXPECT_NEAR(largest, 0.1f, 1e-6f);
}

TEST(AdversarialTrainingHookTest, RefusesTokensAndEotWithoutNoise) {
  InputInfo tokens = testing::tabular_info(4);
  tokens.kind = InputKind::tokens;
  testing::HookRig rig(tokens, {{{"type", "linear"}, {"out", 3}}});
  for (const char* type : {"fgsm", "fgsm_rs", "pgd", "trades", "free_at"}) {
    testing::expect_refused(rig, {{"type", type}}, "token_mask");
  }
  testing::HookRig images(unit_range_info(), kNoisyBnModel);
  testing::expect_refused(images, {{"type", "pgd"}, {"eot_samples", 5}}, "attack_mode");
}

TEST(FreeAdversarialHookTest, DeltaMovesByEpsAlongTheInputGradientAndStaysInTheBall) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  auto hook = rig.hook({{"type", "free_at"}, {"eps", 0.05}, {"replays", 3}});
  EXPECT_EQ(hook->replays(), 3);
  const auto& free = dynamic_cast<const FreeAdversarialHook&>(*hook);
  const Batch batch = random_batch(rig, 14);
  std::vector<float> previous(static_cast<std::size_t>(batch.inputs.numel()), 0.0f);
  for (int replay = 0; replay < 4; ++replay) {
    StepContext ctx = rig.context(replay);
    Batch b = batch;
    hook->on_batch(ctx, b);
    ASSERT_TRUE(b.inputs.requires_grad());
    expect_in_linf_ball(b.inputs, batch.inputs, 0.05f);
    const Tensor loss = ctx.loss(rig.model().forward(b.inputs), b.targets);
    loss.backward();
    const std::vector<float> g = b.inputs.grad().to_vector();
    dynamic_cast<GradientHook&>(*hook).on_gradients(ctx);
    const std::vector<float> delta = free.delta().to_vector();
    for (std::size_t i = 0; i < delta.size(); ++i) {
      const float step = g[i] > 0 ? 0.05f : (g[i] < 0 ? -0.05f : 0.0f);
      ASSERT_FLOAT_EQ(delta[i], std::clamp(previous[i] + step, -0.05f, 0.05f)) << i;
    }
    previous = delta;
    for (Tensor p : rig.model().parameters()) p.zero_grad();
  }
}

TEST(FreeAdversarialHookTest, StateRoundTripsAndAShortBatchUsesTheFirstRows) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  auto hook = rig.hook({{"type", "free_at"}, {"eps", 0.05}});
  EXPECT_TRUE(hook->state().is_null());
  const Batch batch = random_batch(rig, 15);
  StepContext ctx = rig.context(0);
  Batch b = batch;
  hook->on_batch(ctx, b);
  ctx.loss(rig.model().forward(b.inputs), b.targets).backward();
  dynamic_cast<GradientHook&>(*hook).on_gradients(ctx);
  const nlohmann::json state = hook->state();
  auto copy = rig.hook(hook->to_json());
  copy->load_state(nlohmann::json::parse(state.dump()));
  EXPECT_EQ(copy->state(), state);
  // A last batch of 4 rows gets the first 4 rows of delta.
  Batch small = rig.batch(Tensor::full({4, 5}, 0.5f), Tensor::from({0, 1, 2, 0}, {4}));
  StepContext next = rig.context(1);
  copy->on_batch(next, small);
  const auto& free = dynamic_cast<const FreeAdversarialHook&>(*copy);
  for (std::int64_t i = 0; i < 20; ++i) {
    EXPECT_FLOAT_EQ(small.inputs.ptr()[i], 0.5f + free.delta().ptr()[i]);
  }
  EXPECT_THROW(copy->load_state({{"shape", {2, 5}}, {"delta", {1.0, 2.0}}}), ConfigError);
}

}  // namespace
}  // namespace dither
