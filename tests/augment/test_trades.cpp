#include <gtest/gtest.h>

#include "attack_testing.h"
#include "augment/trades.h"
#include "core/autograd.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"
#include "core/random.h"
#include "hook_checks.h"

namespace dither {
namespace {

TEST(TradesHookTest, LossIsTheCleanLossPlusBetaTimesTheKlToTheAttack) {
  testing::HookRig rig(testing::unit_range_info(), testing::kPlainModel);
  auto hook = rig.hook({{"type", "trades"}, {"eps", 0.1}, {"beta", 3.0}, {"steps", 4}});
  const Batch batch = testing::random_batch(rig, 1);
  StepContext ctx = rig.context(2);
  rig.model().train();
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor clean = ctx.loss(logits, batch.targets);
  const Tensor total = hook->on_loss(ctx, batch, logits, clean);
  // The same step's attack, recomputed: the extra term is beta KL(f(x) || f(x')).
  StepContext again = rig.context(2);
  const Tensor x_adv = hook->extra_inputs(again, batch);
  const double kl = kl_div_logits(logits, rig.model().forward(x_adv)).item();
  EXPECT_GT(kl, 0.0);
  EXPECT_NEAR(total.item(), clean.item() + 3.0 * kl, 1e-5);
  for (std::int64_t i = 0; i < x_adv.numel(); ++i) {
    ASSERT_LE(std::abs(x_adv.ptr()[i] - batch.inputs.ptr()[i]), 0.1f + 1e-6f);
  }
  total.backward();
  for (const Tensor& p : rig.model().parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(TradesHookTest, AtEpsZeroOrBetaZeroTheLossIsTheCleanLoss) {
  testing::HookRig rig(testing::unit_range_info(), testing::kPlainModel);
  const Batch batch = testing::random_batch(rig, 2);
  for (const nlohmann::json& spec :
       {nlohmann::json{{"type", "trades"}, {"eps", 0.0}}, {{"type", "trades"}, {"beta", 0.0}}}) {
    auto hook = rig.hook(spec);
    StepContext ctx = rig.context(0);
    const Tensor logits = rig.model().forward(batch.inputs);
    const Tensor clean = ctx.loss(logits, batch.targets);
    EXPECT_EQ(hook->on_loss(ctx, batch, logits, clean).item(), clean.item()) << spec.dump();
  }
}

TEST(TradesHookTest, TheAttackRaisesTheKlAboveItsStart) {
  testing::HookRig rig(testing::unit_range_info(), testing::kPlainModel);
  auto hook = rig.hook({{"type", "trades"}, {"eps", 0.2}});
  const Batch batch = testing::random_batch(rig, 3);
  StepContext ctx = rig.context(0);
  const Tensor x_adv = hook->extra_inputs(ctx, batch);
  const NoGradGuard no_grad;
  const Tensor clean = rig.model().forward(batch.inputs);
  const Tensor near =
      add(batch.inputs, mul(Tensor::randn(batch.inputs.shape(), RandomStream(1, "n")), 0.001f));
  EXPECT_GT(kl_div_logits(clean, rig.model().forward(x_adv)).item(),
            100.0 * kl_div_logits(clean, rig.model().forward(near)).item());
}

TEST(TradesHookTest, RefusesARandomStart) {
  testing::HookRig rig(testing::unit_range_info(), testing::kPlainModel);
  testing::expect_refused(rig, {{"type", "trades"}, {"random_start", true}}, "0.001");
}

}  // namespace
}  // namespace dither
