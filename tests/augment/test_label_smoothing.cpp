#include <gtest/gtest.h>

#include <cmath>

#include "augment/label_smoothing.h"
#include "augment/mixup.h"
#include "core/autograd.h"
#include "core/ops/softmax.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

const nlohmann::json kLinear5 = {{{"type", "linear"}, {"out", 5}}};

// The targets q the loss used for one sample: for cross-entropy with soft targets q summing to
// 1, dL/dz = softmax(z) - q, so q = softmax(z) - dL/dz.
std::vector<double> smoothed_targets(const Loss& loss, const Tensor& logits, const Tensor& y) {
  Tensor z = logits.clone();
  z.set_requires_grad(true);
  const Tensor g = grad(loss(z, y), {z})[0];
  const Tensor p = softmax(logits, 1);
  std::vector<double> q;
  for (std::int64_t j = 0; j < logits.numel(); ++j) q.push_back(p.ptr()[j] - g.ptr()[j]);
  return q;
}

TEST(LabelSmoothingHookTest, MatchesThePyTorchOracle) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  rig.hook({{"type", "label_smoothing"}, {"eps", 0.1}});
  const Tensor logits = Tensor::from({2.0f, 1.0f, 0.0f, -1.0f, 0.5f}, {1, 5});
  EXPECT_NEAR(rig.loss()(logits, Tensor::from({0.0f}, {1})).item(), 0.7244379, 1e-6);
  testing::HookRig off(testing::tabular_info(3, 5), kLinear5);
  off.hook({{"type", "label_smoothing"}, {"eps", 0.0}});
  EXPECT_FLOAT_EQ(off.loss()(logits, Tensor::from({0.0f}, {1})).item(),
                  cross_entropy(logits, Tensor::from({0.0f}, {1})).item());
}

TEST(LabelSmoothingHookTest, UniformAndOthersModesPutTheMassWhereTheySay) {
  const Tensor logits = Tensor::from({2.0f, 1.0f, 0.0f, -1.0f, 0.5f}, {1, 5});
  const Tensor label = Tensor::from({3.0f}, {1});
  for (const char* mode : {"uniform", "others"}) {
    testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
    rig.hook({{"type", "label_smoothing"}, {"eps", 0.2}, {"mode", mode}});
    const std::vector<double> q = smoothed_targets(rig.loss(), logits, label);
    const bool uniform = std::string(mode) == "uniform";
    double total = 0.0;
    for (std::size_t j = 0; j < 5; ++j) {
      const double expected =
          j == 3 ? (uniform ? 1.0 - 0.2 + 0.2 / 5 : 0.8) : (uniform ? 0.2 / 5 : 0.2 / 4);
      EXPECT_NEAR(q[j], expected, 1e-6) << mode << " class " << j;
      total += q[j];
    }
    EXPECT_NEAR(total, 1.0, 1e-6) << mode;
  }
}

TEST(LabelSmoothingHookTest, CommutesWithMixupWhateverTheOrder) {
  const Tensor x = Tensor::randn({6, 3}, RandomStream(1, "x"));
  const Tensor y = Tensor::from({0, 1, 2, 3, 4, 0}, {6});
  const Tensor logits = Tensor::randn({6, 5}, RandomStream(2, "z"));
  const nlohmann::json smoothing = {{"type", "label_smoothing"}, {"eps", 0.15}};
  const nlohmann::json mixup = {{"type", "mixup"}, {"mode", "sample"}};
  // The hooks in both orders; mixup keeps its stream (hook index 1) in both.
  auto loss_after = [&](bool smoothing_first) {
    testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
    auto ls = rig.hook(smoothing, "noise[0]");
    auto mix = rig.hook(mixup, "noise[1]");
    Batch batch = rig.batch(x, y);
    StepContext ls_ctx = rig.context(4, 0, 0);
    StepContext mix_ctx = rig.context(4, 0, 1);
    if (smoothing_first) ls->on_batch(ls_ctx, batch);
    mix->on_batch(mix_ctx, batch);
    if (!smoothing_first) ls->on_batch(ls_ctx, batch);
    return std::pair{rig.loss()(logits, batch.targets).item(), batch.targets};
  };
  const auto [first, mixed] = loss_after(true);
  EXPECT_FLOAT_EQ(first, loss_after(false).first);
  // Smoothing is affine: CE with eps on mixed rows equals plain CE on mixed smoothed rows.
  Tensor smoothed = Tensor::empty(mixed.shape());
  for (std::int64_t i = 0; i < mixed.numel(); ++i) {
    smoothed.ptr()[i] = 0.85f * mixed.ptr()[i] + 0.15f / 5.0f;
  }
  EXPECT_NEAR(first, cross_entropy(logits, smoothed).item(), 1e-5);
  EXPECT_NE(first, cross_entropy(logits, mixed).item());
}

TEST(LabelSmoothingHookTest, PAndTheRampSetTheLossPerBatch) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_smoothing"}, {"eps", 0.2}, {"p", 0.25}});
  EXPECT_FLOAT_EQ(rig.loss().options().label_smoothing, 0.2f);  // set up at full strength
  int smoothed = 0;
  for (std::int64_t step = 0; step < 1000; ++step) {
    StepContext ctx = rig.context(step);
    Batch batch = rig.batch(Tensor::zeros({1, 3}), Tensor::zeros({1}));
    hook->on_batch(ctx, batch);
    smoothed += rig.loss().options().label_smoothing > 0.0f;
  }
  EXPECT_NEAR(smoothed, 250, 55);  // Binomial(1000, 0.25): standard deviation 13.7

  testing::HookRig ramp_rig(testing::tabular_info(3, 5), kLinear5);
  auto ramp = ramp_rig.hook({{"type", "label_smoothing"}, {"eps", 0.2}, {"ramp_epochs", 4}});
  StepContext ctx = ramp_rig.context(1, 1);
  ctx.batch_index = 0;
  Batch batch = ramp_rig.batch(Tensor::zeros({1, 3}), Tensor::zeros({1}));
  ramp->on_batch(ctx, batch);
  EXPECT_FLOAT_EQ(ramp_rig.loss().options().label_smoothing, 0.05f);
}

TEST(LabelSmoothingHookTest, SameLossAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  rig.hook({{"type", "label_smoothing"}, {"mode", "others"}});
  const Tensor logits = Tensor::randn({300, 5}, RandomStream(3, "z"));
  const Tensor y = Tensor::rand({300}, RandomStream(4, "y"), 0.0f, 4.99f);
  Tensor ids = Tensor::empty({300});
  for (std::int64_t i = 0; i < 300; ++i) ids.ptr()[i] = std::floor(y.ptr()[i]);
  const int threads = num_threads();
  set_num_threads(1);
  const float one = rig.loss()(logits, ids).item();
  set_num_threads(2);
  const float two = rig.loss()(logits, ids).item();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(LabelSmoothingHookTest, JsonRoundTrip) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_smoothing"}});
  EXPECT_EQ(hook->to_json(), (nlohmann::json{{"type", "label_smoothing"},
                                             {"eps", 0.1},
                                             {"mode", "uniform"},
                                             {"p", 1.0},
                                             {"ramp_epochs", 0.0}}));
  testing::HookRig again(testing::tabular_info(3, 5), kLinear5);
  EXPECT_EQ(again.hook(hook->to_json())->to_json(), hook->to_json());
}

TEST(LabelSmoothingHookTest, RefusesOtherLossesAndSmoothingSetTwice) {
  LossOptions mse;
  mse.type = "mse";
  testing::HookRig regression(testing::tabular_info(3, 5), kLinear5, 7, mse);
  std::string message = testing::config_error([&] {
    regression.hook({{"type", "label_smoothing"}}, "noise[3]");
  });
  EXPECT_NE(message.find("noise[3]"), std::string::npos) << message;
  EXPECT_NE(message.find("cross_entropy"), std::string::npos) << message;

  LossOptions smoothed;
  smoothed.label_smoothing = 0.1f;
  testing::HookRig twice(testing::tabular_info(3, 5), kLinear5, 7, smoothed);
  message = testing::config_error([&] { twice.hook({{"type", "label_smoothing"}}, "noise[1]"); });
  EXPECT_NE(message.find("noise[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("one place"), std::string::npos) << message;

  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  EXPECT_NE(testing::config_error([&] {
              rig.hook({{"type", "label_smoothing"}, {"eps", 1.5}});
            }).find("noise[0].eps"),
            std::string::npos);
  EXPECT_NE(testing::config_error([&] {
              rig.hook({{"type", "label_smoothing"}, {"mode", "classy"}});
            }).find("noise[0].mode"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
