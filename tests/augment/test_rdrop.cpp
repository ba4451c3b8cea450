#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "augment/rdrop.h"
#include "core/autograd.h"
#include "core/ops.h"
#include "core/random.h"
#include "hook_checks.h"
#include "hook_testing.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

const nlohmann::json kDropoutModel = {{{"type", "linear"}, {"out", 16}},
                                      {{"type", "relu"}},
                                      {{"type", "dropout"}, {"p", 0.3}},
                                      {{"type", "linear"}, {"out", 3}}};
const nlohmann::json kPlainModel = {
    {{"type", "linear"}, {"out", 16}}, {{"type", "relu"}}, {{"type", "linear"}, {"out", 3}}};

Batch random_batch(const testing::HookRig& rig, std::int64_t n = 12) {
  std::vector<float> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(static_cast<float>(i % 3));
  return rig.batch(Tensor::rand({n, 5}, RandomStream(3, "x")), Tensor::from(labels, {n}));
}

double kl(const std::vector<double>& p, const std::vector<double>& q) {
  double s = 0.0;
  for (std::size_t k = 0; k < p.size(); ++k) s += p[k] * std::log(p[k] / q[k]);
  return s;
}

std::vector<double> softmax_row(const std::vector<double>& z) {
  double total = 0.0;
  std::vector<double> p;
  for (double v : z) total += std::exp(v);
  for (double v : z) p.push_back(std::exp(v) / total);
  return p;
}

TEST(RDropTest, SymmetricKlIsSymmetricAndMatchesAHandComputation) {
  const Tensor a = Tensor::from({1.0f, 0.0f, -1.0f, 0.5f, 0.5f, 2.0f}, {2, 3});
  const Tensor b = Tensor::from({0.0f, 1.0f, 0.0f, -1.0f, 0.0f, 1.0f}, {2, 3});
  double expected = 0.0;
  for (int r = 0; r < 2; ++r) {
    std::vector<double> za, zb;
    for (int k = 0; k < 3; ++k) {
      za.push_back(a.ptr()[r * 3 + k]);
      zb.push_back(b.ptr()[r * 3 + k]);
    }
    const auto p = softmax_row(za);
    const auto q = softmax_row(zb);
    expected += 0.5 * (kl(p, q) + kl(q, p)) / 2.0;
  }
  EXPECT_NEAR(symmetric_kl(a, b).item(), expected, 1e-6);
  EXPECT_EQ(symmetric_kl(a, b).item(), symmetric_kl(b, a).item());
  EXPECT_EQ(symmetric_kl(a, a).item(), 0.0f);
  EXPECT_TRUE(
      testing::gradcheck([](const auto& in) { return symmetric_kl(in[0], in[1]); }, {a, b}));
}

TEST(RDropTest, WithoutDropoutTheLossIsTheCrossEntropy) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  auto hook = rig.hook({{"type", "rdrop"}});
  const Batch batch = random_batch(rig);
  StepContext ctx = rig.context(2);
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor loss = ctx.loss(logits, batch.targets);
  EXPECT_NEAR(hook->on_loss(ctx, batch, logits, loss).item(), loss.item(), 1e-6);
}

TEST(RDropTest, WithDropoutAddsTheKlOfTwoPassesAndIsDeterministic) {
  testing::HookRig rig(testing::tabular_info(5), kDropoutModel);
  const Batch batch = random_batch(rig);
  auto value = [&](double alpha, std::int64_t step) {
    auto hook = rig.hook({{"type", "rdrop"}, {"alpha", alpha}});
    StepContext ctx = rig.context(step);
    rig.model().set_noise_clock(NoiseClock{7, step, kTrainPass});
    const Tensor logits = rig.model().forward(batch.inputs);
    return static_cast<double>(
        hook->on_loss(ctx, batch, logits, ctx.loss(logits, batch.targets)).item());
  };
  const double threads = num_threads();
  set_num_threads(1);
  const double one = value(1.0, 4);
  set_num_threads(2);
  const double two = value(1.0, 4);
  set_num_threads(static_cast<int>(threads));
  EXPECT_EQ(one, two);
  EXPECT_NE(value(1.0, 4), value(1.0, 5));
  // The KL term is positive: a larger alpha gives a larger loss, by alpha times the term.
  const double zero = value(0.0, 4);
  const double term = one - zero;
  EXPECT_GT(term, 0.0);
  EXPECT_NEAR(value(3.0, 4) - zero, 3.0 * term, 1e-5);
}

TEST(RDropTest, BatchOfOneAndOddBatches) {
  testing::HookRig rig(testing::tabular_info(5), kDropoutModel);
  auto hook = rig.hook({{"type", "rdrop"}});
  for (std::int64_t n : {1, 5}) {
    const Batch batch = random_batch(rig, n);
    StepContext ctx = rig.context(3);
    rig.model().set_noise_clock(NoiseClock{7, 3, kTrainPass});
    const Tensor logits = rig.model().forward(batch.inputs);
    const Tensor total = hook->on_loss(ctx, batch, logits, ctx.loss(logits, batch.targets));
    EXPECT_TRUE(std::isfinite(total.item())) << n;
    EXPECT_EQ(total.numel(), 1) << n;
  }
}

TEST(RDropTest, SecondPassKeepsBatchNormStatistics) {
  const nlohmann::json layers = {{{"type", "linear"}, {"out", 8}},
                                 {{"type", "batch_norm1d"}},
                                 {{"type", "dropout"}, {"p", 0.3}},
                                 {{"type", "linear"}, {"out", 3}}};
  testing::HookRig rig(testing::tabular_info(5), layers);
  auto hook = rig.hook({{"type", "rdrop"}});
  const Batch batch = random_batch(rig);
  const Tensor logits = rig.model().forward(batch.inputs);
  const NamedTensors before = rig.model().state_dict();
  StepContext ctx = rig.context(1);
  hook->on_loss(ctx, batch, logits, ctx.loss(logits, batch.targets));
  const NamedTensors after = rig.model().state_dict();
  for (std::size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(before[i].second.to_vector(), after[i].second.to_vector()) << before[i].first;
}

TEST(RDropTest, ActsOnAboutAFractionPOfBatches) {
  testing::HookRig rig(testing::tabular_info(5), kDropoutModel);
  const Batch batch = random_batch(rig, 4);
  auto hook = rig.hook({{"type", "rdrop"}, {"p", 0.3}});
  const Tensor logits = rig.model().forward(batch.inputs);
  const int steps = 1000;
  int fired = 0;
  for (int step = 0; step < steps; ++step) {
    StepContext ctx = rig.context(step);
    const Tensor loss = ctx.loss(logits, batch.targets);
    fired += hook->on_loss(ctx, batch, logits, loss).ptr() != loss.ptr();
  }
  EXPECT_NEAR(fired / static_cast<double>(steps), 0.3, 4.0 * std::sqrt(0.3 * 0.7 / steps));
}

TEST(RDropTest, RoundTripsAndRefusesLossesWithoutClasses) {
  testing::HookRig rig(testing::tabular_info(5), kDropoutModel);
  testing::expect_round_trip(rig, {{"type", "rdrop"}, {"alpha", 0.3}, {"ramp_epochs", 2}});
  const nlohmann::json full = rig.hook({{"type", "rdrop"}})->to_json();
  EXPECT_EQ(full["alpha"], 0.6);
  LossOptions mse;
  mse.type = "mse";
  testing::HookRig regression(testing::tabular_info(5), kDropoutModel, 7, mse);
  testing::expect_refused(regression, {{"type", "rdrop"}}, "does not take classes");
}

}  // namespace
}  // namespace dither
