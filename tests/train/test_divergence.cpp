#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "augment/hook.h"
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
class PoisonHook : public Hook {
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

// Three steps of a tiny linear classifier with the poison at step 2; the error message.
std::string diverge(PoisonHook::Target target) {
  manual_seed(1);
  Sequential model;
  model.add(std::make_shared<Linear>(LinearOptions{.in = 3, .out = 2}));
  const Loss loss;
  Sgd sgd(model.parameters(), SgdOptions{.lr = 0.1});
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(std::make_unique<PoisonHook>(target, 2));
  Trainer trainer(model, loss, sgd, nullptr, std::move(hooks), InputInfo{}, TrainSettings{}, 1);
  const Tensor x = Tensor::randn({4, 3}, RandomStream(2, "x"));
  const Tensor y = Tensor::from({0.0f, 1.0f, 1.0f, 0.0f}, {4});
  for (std::int64_t b = 0; b < 3; ++b) {
    const std::vector<float> before = model.named_parameters()[0].second.to_vector();
    try {
      Batch batch;
      batch.inputs = x;
      batch.targets = y;
      trainer.train_step(batch, 0, b);
    } catch (const DivergenceError& e) {
      // The guard runs before the update: the poisoned step leaves the weights alone.
      EXPECT_EQ(model.named_parameters()[0].second.to_vector(), before);
      return e.what();
    }
  }
  ADD_FAILURE() << "no DivergenceError";
  return "";
}

TEST(DivergenceTest, NanInputStopsNamingTheStepAndTheLoss) {
  const std::string message = diverge(PoisonHook::Target::inputs);
  EXPECT_TRUE(contains(message, "step 2")) << message;
  EXPECT_TRUE(contains(message, "batch 3")) << message;
  EXPECT_TRUE(contains(message, "loss")) << message;
}

TEST(DivergenceTest, InfiniteGradientStopsNamingTheStepAndTheParameter) {
  const std::string message = diverge(PoisonHook::Target::gradient);
  EXPECT_TRUE(contains(message, "step 2")) << message;
  EXPECT_TRUE(contains(message, "'0.bias'")) << message;
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
