#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "augment/consistency.h"
#include "core/autograd.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"
#include "hook_checks.h"
#include "hook_testing.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

const nlohmann::json kPlainModel = {
    {{"type", "linear"}, {"out", 16}}, {{"type", "relu"}}, {{"type", "linear"}, {"out", 3}}};
const nlohmann::json kGaussianViews = {{"type", "consistency"},
                                       {"of", {{"type", "gaussian"}, {"sigma", 0.2}}}};

Batch random_batch(const testing::HookRig& rig, std::int64_t n = 10) {
  std::vector<float> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(static_cast<float>(i % 3));
  return rig.batch(Tensor::rand({n, 5}, RandomStream(3, "x")), Tensor::from(labels, {n}));
}

std::vector<double> softmax_row(const Tensor& logits, std::int64_t r) {
  const std::int64_t k = logits.size(1);
  double total = 0.0;
  std::vector<double> p;
  for (std::int64_t j = 0; j < k; ++j) total += std::exp(logits.ptr()[r * k + j]);
  for (std::int64_t j = 0; j < k; ++j) p.push_back(std::exp(logits.ptr()[r * k + j]) / total);
  return p;
}

// The mean over rows of (1/M) sum_m KL(p_m || mean of p), in double.
double js_by_hand(const std::vector<Tensor>& logits) {
  const std::int64_t rows = logits[0].size(0);
  double total = 0.0;
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<std::vector<double>> ps;
    for (const Tensor& l : logits) ps.push_back(softmax_row(l, r));
    std::vector<double> mix(ps[0].size(), 0.0);
    for (const auto& p : ps)
      for (std::size_t k = 0; k < p.size(); ++k) mix[k] += p[k] / static_cast<double>(ps.size());
    for (const auto& p : ps)
      for (std::size_t k = 0; k < p.size(); ++k)
        total += p[k] * std::log(p[k] / mix[k]) / static_cast<double>(ps.size());
  }
  return total / static_cast<double>(rows);
}

TEST(JensenShannonTest, IsZeroForIdenticalPredictionsAndMatchesAHandComputation) {
  const Tensor a = Tensor::from({1.0f, 0.0f, -1.0f, 0.5f, 0.5f, 2.0f}, {2, 3});
  const Tensor b = Tensor::from({0.0f, 1.0f, 0.0f, -1.0f, 0.0f, 1.0f}, {2, 3});
  const Tensor c = Tensor::from({2.0f, 0.0f, 0.0f, 0.0f, 3.0f, 0.0f}, {2, 3});
  EXPECT_NEAR(jensen_shannon({a, a, a}).item(), 0.0, 1e-7);
  EXPECT_NEAR(jensen_shannon({a, b}).item(), js_by_hand({a, b}), 1e-6);
  EXPECT_NEAR(jensen_shannon({a, b, c}).item(), js_by_hand({a, b, c}), 1e-6);
  EXPECT_NEAR(jensen_shannon({a, b}).item(), jensen_shannon({b, a}).item(), 1e-7);
  // Bounded by log M.
  EXPECT_LT(jensen_shannon({mul(a, 50.0f), mul(b, 50.0f)}).item(), std::log(2.0) + 1e-6);
  EXPECT_TRUE(testing::gradcheck(
      [](const auto& in) {
        return jensen_shannon({in[0], in[1], in[2]});
      },
      {a, b, c}));
}

TEST(ConsistencyTest, PassesTheCleanBatchOnAndMakesDistinctViews) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  auto hook = rig.hook(
      {{"type", "consistency"}, {"of", {{"type", "gaussian"}, {"sigma", 0.2}}}, {"views", 3}});
  const Batch batch = random_batch(rig);
  StepContext ctx = rig.context(4);
  Batch out = batch;
  hook->on_batch(ctx, out);
  EXPECT_EQ(out.inputs.ptr(), batch.inputs.ptr());
  const Tensor first = hook->extra_inputs(ctx, out);
  ASSERT_TRUE(first.defined());
  EXPECT_NE(first.to_vector(), batch.inputs.to_vector());
  // Each view has its own stream: view v of the wrapped hook draws differently from view w.
  std::vector<std::vector<float>> views;
  for (std::int64_t v = 0; v < 3; ++v) {
    StepContext view_ctx = ConsistencyHook::view_context(ctx, v);
    auto inner = rig.hook({{"type", "gaussian"}, {"sigma", 0.2}});
    Batch copy = batch;
    inner->on_batch(view_ctx, copy);
    views.push_back(copy.inputs.to_vector());
  }
  EXPECT_EQ(views[0], first.to_vector());
  EXPECT_NE(views[0], views[1]);
  EXPECT_NE(views[1], views[2]);
  // And none is what the wrapped hook draws on its own at this step.
  auto alone = rig.hook({{"type", "gaussian"}, {"sigma", 0.2}});
  EXPECT_NE(testing::noised(rig, *alone, batch, 4).to_vector(), views[0]);
}

TEST(ConsistencyTest, AddsLambdaTimesTheJensenShannonOfCleanAndViews) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  auto hook = rig.hook({{"type", "consistency"},
                        {"of", {{"type", "gaussian"}, {"sigma", 0.3}}},
                        {"views", 1},
                        {"lambda", 5}});
  Batch batch = random_batch(rig);
  StepContext ctx = rig.context(2);
  hook->on_batch(ctx, batch);
  const Tensor view = hook->extra_inputs(ctx, batch);
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor loss = ctx.loss(logits, batch.targets);
  const Tensor total = hook->on_loss(ctx, batch, logits, loss);
  const double expected = loss.item() + 5.0 * js_by_hand({logits, rig.model().forward(view)});
  EXPECT_NEAR(total.item(), expected, 1e-5);
}

TEST(ConsistencyTest, ViewsAreDeterministicAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  auto hook = rig.hook(kGaussianViews);
  const Batch batch = random_batch(rig);
  auto view_at = [&](std::int64_t step) {
    StepContext ctx = rig.context(step);
    Batch copy = batch;
    hook->on_batch(ctx, copy);
    return hook->extra_inputs(ctx, copy).to_vector();
  };
  const int threads = num_threads();
  set_num_threads(1);
  const auto one = view_at(5);
  set_num_threads(2);
  const auto two = view_at(5);
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_NE(one, view_at(6));
  EXPECT_EQ(batch.inputs.to_vector(), random_batch(rig).inputs.to_vector());
}

TEST(ConsistencyTest, LambdaZeroMakesNoViewAndOddOrSingleBatchesWork) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  nlohmann::json spec = kGaussianViews;
  spec["lambda"] = 0;
  auto off = rig.hook(spec);
  Batch batch = random_batch(rig, 3);
  StepContext ctx = rig.context(1);
  off->on_batch(ctx, batch);
  EXPECT_FALSE(off->extra_inputs(ctx, batch).defined());
  const Tensor logits = rig.model().forward(batch.inputs);
  const Tensor loss = ctx.loss(logits, batch.targets);
  EXPECT_EQ(off->on_loss(ctx, batch, logits, loss).ptr(), loss.ptr());
  auto on = rig.hook(kGaussianViews);
  for (std::int64_t n : {1, 3}) {
    Batch small = random_batch(rig, n);
    StepContext step = rig.context(2);
    on->on_batch(step, small);
    const Tensor l = rig.model().forward(small.inputs);
    const Tensor total = on->on_loss(step, small, l, step.loss(l, small.targets));
    EXPECT_TRUE(std::isfinite(total.item())) << n;
    EXPECT_GT(total.item(), step.loss(l, small.targets).item()) << n;
  }
}

TEST(ConsistencyTest, ActsOnAboutAFractionPOfBatches) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  nlohmann::json spec = kGaussianViews;
  spec["p"] = 0.3;
  auto hook = rig.hook(spec);
  const Batch batch = random_batch(rig, 2);
  const int steps = 1000;
  int fired = 0;
  for (int step = 0; step < steps; ++step) {
    StepContext ctx = rig.context(step);
    Batch copy = batch;
    hook->on_batch(ctx, copy);
    fired += hook->extra_inputs(ctx, copy).defined();
  }
  EXPECT_NEAR(fired / static_cast<double>(steps), 0.3, 4.0 * std::sqrt(0.3 * 0.7 / steps));
}

TEST(ConsistencyTest, RoundTripsAndRefusesWhatMakesNoView) {
  testing::HookRig rig(testing::tabular_info(5), kPlainModel);
  testing::expect_round_trip(rig, kGaussianViews);
  const nlohmann::json full = rig.hook(kGaussianViews)->to_json();
  EXPECT_EQ(full["lambda"], 12.0);
  EXPECT_EQ(full["views"], 2);
  EXPECT_EQ(full["of"]["sigma"], 0.2);
  testing::expect_refused(rig, {{"type", "consistency"}, {"of", {{"type", "mixup"}}}},
                          "noise[3].of.type");
  testing::expect_refused(
      rig, {{"type", "consistency"}, {"of", {{"type", "gaussian"}, {"sigm", 1}}}}, "noise[3].of");
  LossOptions mse;
  mse.type = "mse";
  testing::HookRig regression(testing::tabular_info(5), kPlainModel, 7, mse);
  testing::expect_refused(regression, kGaussianViews, "does not take classes");
}

}  // namespace
}  // namespace dither
