#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "attack_testing.h"
#include "augment/adversarial_training.h"
#include "augment/attack.h"
#include "augment/attack_steps.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/loss.h"
#include "core/random.h"

namespace dither {
namespace {

using testing::kNoisyBnModel;
using testing::kPlainModel;
using testing::random_batch;
using testing::unit_range_info;

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

// The PGD step from a point inside the ball, against the textbook formula with std::clamp, bit
// for bit: zero and NaN gradients move nothing, infinite ones a full step, a NaN input stays NaN.
TEST(FgsmTest, LinfStepIsTheClampedSignStepBitForBit) {
  const std::int64_t n = 1003;  // not a multiple of any vector width
  const Tensor x = Tensor::rand({n}, RandomStream(3, "x"));
  Tensor adv = Tensor::rand({n}, RandomStream(4, "adv"));
  Tensor g = Tensor::randn({n}, RandomStream(5, "g"));
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float special[] = {0.0f, -0.0f, nan, inf, -inf, 1e-30f, -1e-30f};
  for (std::int64_t i = 0; i < 7; ++i) g.ptr()[i * 100] = special[i];
  adv.ptr()[701] = nan;
  const float alpha = 0.07f, eps = 0.1f, low = 0.05f, high = 0.95f;
  const Tensor out = linf_step(adv, g, x, alpha, eps, low, high);
  for (std::int64_t i = 0; i < n; ++i) {
    const float gi = g.ptr()[i];
    const float step = gi > 0.0f ? alpha : (gi < 0.0f ? -alpha : 0.0f);
    const float ball = std::clamp(adv.ptr()[i] + step, x.ptr()[i] - eps, x.ptr()[i] + eps);
    const float expected = std::clamp(ball, low, high);
    ASSERT_EQ(std::bit_cast<std::uint32_t>(out.ptr()[i]), std::bit_cast<std::uint32_t>(expected))
        << i << ": " << out.ptr()[i] << " vs " << expected;
  }
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

AttackSpec pgd_spec(AttackNorm norm, double eps, std::int64_t steps) {
  AttackSpec a;
  a.norm = norm;
  a.eps = eps;
  a.alpha = 2.5 * eps / static_cast<double>(steps);
  a.steps = steps;
  a.random_start = true;
  return a;
}

// Per-sample cross-entropy of the model's eval-mode prediction on x.
std::vector<float> losses_at(StepContext& ctx, const Tensor& x, const Tensor& targets) {
  const NoGradGuard no_grad;
  return cross_entropy_objective(targets)(ctx.forward(x, PassMode::eval)).to_vector();
}

double total(const std::vector<float>& v) {
  double s = 0.0;
  for (float f : v) s += f;
  return s;
}

void expect_inside_ball_and_range(const Tensor& adv, const Tensor& x, AttackNorm norm, float eps) {
  const std::int64_t rows = x.size(0);
  const std::int64_t row = x.numel() / rows;
  for (std::int64_t r = 0; r < rows; ++r) {
    double sq = 0.0;
    for (std::int64_t i = r * row; i < (r + 1) * row; ++i) {
      const float a = adv.ptr()[i];
      const float d = a - x.ptr()[i];
      ASSERT_GE(a, 0.0f);
      ASSERT_LE(a, 1.0f);
      if (norm == AttackNorm::linf) {
        ASSERT_LE(std::abs(d), eps + 1e-6f) << "element " << i;
      }
      sq += double(d) * d;
    }
    if (norm == AttackNorm::l2) {
      ASSERT_LE(std::sqrt(sq), eps * (1 + 1e-5)) << "sample " << r;
    }
  }
}

TEST(AttackTest, PgdStaysInTheBallAndTheRangeAfterEveryStep) {
  for (AttackNorm norm : {AttackNorm::linf, AttackNorm::l2}) {
    testing::HookRig rig(unit_range_info(), kPlainModel);
    StepContext ctx = rig.context(0);
    const Batch batch = random_batch(rig, 5);
    const float eps = norm == AttackNorm::linf ? 0.1f : 0.5f;
    for (std::int64_t steps = 1; steps <= 6; ++steps) {
      AttackSpec spec = pgd_spec(norm, eps, 6);
      spec.steps = steps;  // the same run stopped after `steps` steps
      const Tensor adv = run_attack(spec, batch.inputs, cross_entropy_objective(batch.targets),
                                    *ctx.passes, RandomStream(3, "start"), 0.0f, 1.0f);
      expect_inside_ball_and_range(adv, batch.inputs, norm, eps);
    }
  }
}

TEST(AttackTest, L2StepMovesEachSampleByAlphaAlongItsGradient) {
  const Tensor x = Tensor::full({2, 3}, 0.5f);
  const Tensor g = Tensor::from({3, 0, 4, 0, 0, -2}, {2, 3});
  const Tensor adv = l2_step(x, g, x, 0.1f, 1.0f, 0.0f, 1.0f);
  const std::vector<float> expected{0.56f, 0.5f, 0.58f, 0.5f, 0.5f, 0.4f};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(adv.to_vector()[i], expected[i], 1e-6f) << i;
  }
}

TEST(AttackTest, PgdRaisesTheLossAtLeastAsMuchAsFgsm) {
  testing::HookRig rig(unit_range_info(), kPlainModel);
  StepContext ctx = rig.context(0);
  const Batch batch = random_batch(rig, 6);
  const float eps = 0.2f;
  AttackSpec fgsm;
  fgsm.eps = eps;
  fgsm.alpha = eps;
  const auto objective = cross_entropy_objective(batch.targets);
  const RandomStream stream(4, "start");
  const Tensor one = run_attack(fgsm, batch.inputs, objective, *ctx.passes, stream, 0, 1);
  const Tensor many = run_attack(pgd_spec(AttackNorm::linf, eps, 20), batch.inputs, objective,
                                 *ctx.passes, stream, 0, 1);
  const double clean = total(losses_at(ctx, batch.inputs, batch.targets));
  const double after_fgsm = total(losses_at(ctx, one, batch.targets));
  const double after_pgd = total(losses_at(ctx, many, batch.targets));
  EXPECT_GT(after_fgsm, clean);
  EXPECT_GE(after_pgd, after_fgsm);
}

TEST(AttackTest, RestartsKeepEachSamplesWorstCase) {
  testing::HookRig rig(unit_range_info(), kPlainModel);
  StepContext ctx = rig.context(0);
  const Batch batch = random_batch(rig, 7);
  AttackSpec spec = pgd_spec(AttackNorm::linf, 0.2, 2);
  std::vector<std::vector<float>> losses;
  for (std::int64_t restarts = 1; restarts <= 4; ++restarts) {
    spec.restarts = restarts;
    const Tensor adv = run_attack(spec, batch.inputs, cross_entropy_objective(batch.targets),
                                  *ctx.passes, RandomStream(9, "start"), 0.0f, 1.0f);
    expect_inside_ball_and_range(adv, batch.inputs, AttackNorm::linf, 0.2f);
    losses.push_back(losses_at(ctx, adv, batch.targets));
  }
  // Restart r starts from the same point whatever the count, so more restarts never lose.
  bool improved = false;
  for (std::size_t k = 1; k < losses.size(); ++k) {
    for (std::size_t i = 0; i < losses[k].size(); ++i) {
      EXPECT_GE(losses[k][i], losses[k - 1][i]) << "sample " << i << " with " << k + 1;
      improved |= losses[k][i] > losses[k - 1][i];
    }
  }
  EXPECT_TRUE(improved);
}

TEST(AttackTest, EotOnADeterministicModelIsPgd) {
  testing::HookRig rig(unit_range_info(), kPlainModel);
  StepContext ctx = rig.context(0);
  const Batch batch = random_batch(rig, 8);
  const AttackSpec pgd = pgd_spec(AttackNorm::linf, 0.1, 5);
  AttackSpec eot = pgd;
  eot.mode = PassMode::mc;
  const auto objective = cross_entropy_objective(batch.targets);
  const Tensor a =
      run_attack(pgd, batch.inputs, objective, *ctx.passes, RandomStream(2, "s"), 0, 1);
  for (std::int64_t draws : {1, 4}) {
    eot.eot_samples = draws;
    const Tensor b =
        run_attack(eot, batch.inputs, objective, *ctx.passes, RandomStream(2, "s"), 0, 1);
    EXPECT_EQ(a.to_vector(), b.to_vector()) << draws << " draws";
  }
}

TEST(AttackTest, EotAveragesTheGradientOverFreshNoiseDraws) {
  testing::HookRig rig(unit_range_info(), kNoisyBnModel);
  rig.model().train();
  const Batch batch = random_batch(rig, 9);
  const auto objective = cross_entropy_objective(batch.targets);
  StepContext ctx = rig.context(0);
  const Tensor mean = attack_gradient(batch.inputs, objective, *ctx.passes, PassMode::mc, 4);
  EXPECT_EQ(ctx.passes->passes_used(), 4u);
  StepContext again = rig.context(0);  // the same clock: the same four draws, one at a time
  Tensor sum = Tensor::zeros(batch.inputs.shape());
  std::vector<float> first;
  for (int k = 0; k < 4; ++k) {
    const Tensor g = attack_gradient(batch.inputs, objective, *again.passes, PassMode::mc, 1);
    if (k == 0) first = g.to_vector();
    for (std::int64_t i = 0; i < g.numel(); ++i) sum.ptr()[i] += g.ptr()[i];
  }
  EXPECT_NE(first, mean.to_vector());  // dropout made the draws differ
  for (std::int64_t i = 0; i < sum.numel(); ++i) {
    EXPECT_NEAR(mean.ptr()[i], sum.ptr()[i] / 4, 1e-6f) << i;
  }
}

TEST(AttackTest, LeavesGradientsStatisticsAndModeAsTheyWere) {
  for (PassMode mode : {PassMode::eval, PassMode::train, PassMode::mc}) {
    testing::HookRig rig(unit_range_info(), kNoisyBnModel);
    rig.model().train();
    const NamedTensors before = rig.model().state_dict();
    StepContext ctx = rig.context(1);
    const Batch batch = random_batch(rig, 10);
    AttackSpec spec = pgd_spec(AttackNorm::linf, 0.1, 3);
    spec.mode = mode;
    spec.restarts = 2;
    run_attack(spec, batch.inputs, cross_entropy_objective(batch.targets), *ctx.passes,
               RandomStream(1, "s"), 0, 1);
    const NamedTensors after = rig.model().state_dict();
    for (std::size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i].second.to_vector(), after[i].second.to_vector()) << before[i].first;
    }
    for (const Tensor& p : rig.model().parameters()) EXPECT_FALSE(p.grad().defined());
    EXPECT_TRUE(rig.model().is_training());
  }
}

TEST(AttackTest, KlObjectiveIsZeroAtTheCleanPredictionAndPositiveElsewhere) {
  const Tensor clean = Tensor::from({1, 2, 3, 0, 0, 0}, {2, 3});
  const auto kl = kl_objective(clean);
  for (float v : kl(clean).to_vector()) EXPECT_NEAR(v, 0.0f, 1e-6f);
  const std::vector<float> other = kl(Tensor::from({3, 2, 1, 5, 0, 0}, {2, 3})).to_vector();
  // Row 0: KL(softmax(1,2,3) || softmax(3,2,1)) = sum p (log p - log q) = 2 (p3 - p1).
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(other[0], 2.0 * (std::exp(3.0) - std::exp(1.0)) / z, 1e-5);
  EXPECT_GT(other[1], 0.0f);
}

TEST(AttackTest, EotInEvalModeIsAConfigError) {
  const nlohmann::json spec = {{"eot_samples", 4}};
  const JsonReader r(spec, "noise[1]");
  try {
    AttackSpec::read(r, 0.1, AttackSpec{}, 1.0);
    FAIL() << "accepted EOT in eval mode";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("noise[1].eot_samples"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dither
