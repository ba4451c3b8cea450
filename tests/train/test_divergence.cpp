#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "augment/hook.h"
#include "core/ops.h"
#include "core/random.h"
#include "layers/linear.h"
#include "layers/loss.h"
#include "layers/sequential.h"
#include "optim/sgd.h"
#include "run_testing.h"
#include "train/checkpoint.h"
#include "train/run.h"
#include "train/run_eval.h"
#include "train/trainer.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::TempDir;

// Poisons step `at`: its inputs become NaN, or one parameter's gradient becomes +Inf.
class PoisonHook : public GradientHook {
 public:
  enum class Target { inputs, gradient };
  PoisonHook(Target target, std::int64_t at) : target_(target), at_(at) {}
  std::string type_name() const override { return "poison"; }
  nlohmann::json to_json() const override { return {{"type", type_name()}}; }
  void on_batch(StepContext& ctx, Batch& batch) override {
    if (target_ == Target::inputs && ctx.step == at_) {
      batch.inputs = Tensor::full(batch.inputs.shape(), std::numeric_limits<float>::quiet_NaN());
    }
  }
  void on_gradients(StepContext& ctx) override {
    if (target_ != Target::gradient || ctx.step != at_) return;
    Tensor bias = ctx.model->named_parameters().back().second;
    Tensor g = bias.grad().clone();
    g.data()[0] = std::numeric_limits<float>::infinity();
    bias.set_grad(g);
  }

 private:
  Target target_;
  std::int64_t at_;
};

// Three steps of a tiny linear classifier with `poison` (acting at step 2); the error message.
std::string diverge(std::unique_ptr<Hook> poison) {
  manual_seed(1);
  Sequential model;
  model.add(std::make_shared<Linear>(LinearOptions{.in = 3, .out = 2}));
  const Loss loss;
  Sgd sgd(model.parameters(), SgdOptions{.lr = 0.1});
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(std::move(poison));
  Trainer trainer(model, loss, sgd, nullptr, std::move(hooks), InputInfo{}, TrainSettings{}, 1);
  const Tensor x = Tensor::randn({4, 3}, RandomStream(2, "x"));
  const Tensor y = Tensor::from({0.0f, 1.0f, 1.0f, 0.0f}, {4});
  auto weights = [&] {
    std::vector<std::vector<float>> out;
    for (const auto& [name, p] : model.named_parameters()) out.push_back(p.to_vector());
    return out;
  };
  for (std::int64_t b = 0; b < 3; ++b) {
    const auto before = weights();
    try {
      Batch batch;
      batch.inputs = x;
      batch.targets = y;
      trainer.train_step(batch, 0, b);
    } catch (const DivergenceError& e) {
      // The guard runs before the update: the poisoned step leaves the weights alone.
      EXPECT_EQ(weights(), before);
      return e.what();
    }
  }
  ADD_FAILURE() << "no DivergenceError";
  return "";
}

TEST(DivergenceTest, NanInputStopsNamingTheStepAndTheLoss) {
  const std::string message = diverge(std::make_unique<PoisonHook>(PoisonHook::Target::inputs, 2));
  EXPECT_TRUE(contains(message, "step 2")) << message;
  EXPECT_TRUE(contains(message, "batch 3")) << message;
  EXPECT_TRUE(contains(message, "loss")) << message;
}

TEST(DivergenceTest, InfiniteGradientStopsNamingTheStepAndTheParameter) {
  const std::string message =
      diverge(std::make_unique<PoisonHook>(PoisonHook::Target::gradient, 2));
  EXPECT_TRUE(contains(message, "step 2")) << message;
  EXPECT_TRUE(contains(message, "'0.bias'")) << message;
}

// Adds 0 * sqrt(0 * bias) at step 2: a finite loss whose bias gradient is NaN. Not a
// GradientHook, so the trainer checks each gradient inside the backward sweep.
class NanGradientHook : public Hook {
 public:
  std::string type_name() const override { return "nan_gradient"; }
  nlohmann::json to_json() const override { return {{"type", type_name()}}; }
  Tensor on_loss(StepContext& ctx, const Batch&, const Tensor&, Tensor loss) override {
    if (ctx.step != 2) return loss;
    const Tensor bias = ctx.model->named_parameters().back().second;
    return add(loss, sum(sqrt(mul(bias, 0.0f))));
  }
};

// The bias comes first in the sweep (a linear node's inputs run last to first), so nothing has
// been updated when its gradient is found NaN.
TEST(DivergenceTest, ANonFiniteGradientFoundInsideTheBackwardSweepNamesTheParameter) {
  const std::string message = diverge(std::make_unique<NanGradientHook>());
  EXPECT_TRUE(contains(message, "step 2")) << message;
  EXPECT_TRUE(contains(message, "the gradient of '0.bias' holds ")) << message;
  EXPECT_TRUE(contains(message, "nan")) << message;
}

TEST(DivergenceTest, HugeLearningRateStopsTheRunAndKeepsEarlierCheckpointsReadable) {
  TempDir dir("diverge");
  nlohmann::json config = testing::moons_config(3);
  // A sound first epoch at lr 0.1, then lr 1e6: the run must stop in epoch 2.
  config["schedule"] = {{"type", "step"}, {"step_size", 1}, {"gamma", 1e7}};
  // Weight decay then scales the weights by 1 - lr * wd = -499 per step: they overflow within a
  // few steps even where ReLUs have died and the gradients vanished.
  config["optimizer"]["weight_decay"] = 5e-4;
  testing::write_text(dir / "config.json", config.dump());
  TrainRequest request;
  request.config_path = (dir / "config.json").string();
  request.out_dir = dir / "run";
  request.quiet = true;
  std::string message;
  try {
    run_training(request);
  } catch (const DivergenceError& e) {
    message = e.what();
  }
  ASSERT_FALSE(message.empty()) << "training did not diverge";
  EXPECT_TRUE(contains(message, "epoch 2")) << message;
  EXPECT_TRUE(contains(message, "at step ")) << message;
  if (contains(message, "the gradient of")) {
    EXPECT_TRUE(contains(message, ".weight'") || contains(message, ".bias'")) << message;
  }

  const Checkpoint last = load_checkpoint(dir / "run" / "last.ckpt");
  EXPECT_EQ(last.meta.at("epochs_done"), 1);
  for (const auto& [name, t] : last.tensors) {
    for (float v : t.data()) ASSERT_TRUE(std::isfinite(v)) << name;
  }
  EvalRequest eval;
  eval.target = dir / "run";
  eval.out_dir = dir / "eval";
  const Evaluation test = run_evaluation(eval).test;
  EXPECT_GT(test.accuracy, 0.5);
}

}  // namespace
}  // namespace dither
