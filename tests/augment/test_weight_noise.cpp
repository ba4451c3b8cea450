#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "augment/registry.h"
#include "augment/weight_noise.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "layers/weight_layer.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

struct Spread {
  double mean = 0.0;
  double std = 0.0;
};

// Mean and standard deviation of a - b over every element.
Spread spread(const Tensor& a, const Tensor& b) {
  double sum = 0.0;
  double sq = 0.0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const double d = a.ptr()[i] - b.ptr()[i];
    sum += d;
    sq += d * d;
  }
  const auto n = static_cast<double>(a.numel());
  return {sum / n, std::sqrt(sq / n - (sum / n) * (sum / n))};
}

nlohmann::json mlp(std::int64_t hidden = 8) {
  return {
      {{"type", "linear"}, {"out", hidden}}, {{"type", "relu"}}, {{"type", "linear"}, {"out", 3}}};
}

// Layer k of the rig's model as the linear layer it is.
WeightLayer& weight_layer(testing::HookRig& rig, std::size_t k) {
  return dynamic_cast<WeightLayer&>(*rig.model().children()[k].second);
}

// The hook's perturbation of layer k at training step `step`, as the training forward sees it.
Tensor noisy_weight(testing::HookRig& rig, Hook& hook, std::size_t k, std::int64_t step,
                    std::int64_t epoch = 0) {
  StepContext ctx = rig.context(step, epoch);
  ctx.batch_index = 0;
  Batch batch = rig.batch(Tensor::zeros({1, rig.info().sample_shape[0]}), Tensor::zeros({1}));
  hook.on_batch(ctx, batch);
  rig.model().train();
  rig.model().set_noise_clock({7, step, kTrainPass});
  return weight_layer(rig, k).forward_weight();
}

TEST(PerturbWeightTest, AddsNoiseWithStdSigmaAndMeanZero) {
  const Tensor w = testing::random_uniform({400, 500}, -1.0f, 1.0f, 1);
  const Spread s = spread(perturb_weight(w, 0.05f, false, RandomStream(1, "w")), w);
  // n = 200,000: standard errors 1.1e-4 (mean) and 7.9e-5 (std).
  EXPECT_NEAR(s.mean, 0.0, 5e-4);
  EXPECT_NEAR(s.std, 0.05, 4e-4);
}

TEST(PerturbWeightTest, RelativeSigmaIsAFractionOfTheWeightsStd) {
  // U(-2, 2) has std 2 / sqrt(3).
  const Tensor w = testing::random_uniform({400, 500}, -2.0f, 2.0f, 2);
  const Spread s = spread(perturb_weight(w, 0.1f, true, RandomStream(2, "w")), w);
  EXPECT_NEAR(s.std, 0.1 * 2.0 / std::sqrt(3.0), 1e-3);
}

TEST(PerturbWeightTest, ZeroSigmaReturnsTheWeightItself) {
  const Tensor w = testing::random_uniform({3, 4}, -1.0f, 1.0f, 3);
  EXPECT_EQ(perturb_weight(w, 0.0f, false, RandomStream(3, "w")).ptr(), w.ptr());
  EXPECT_EQ(perturb_weight(Tensor::zeros({3, 4}), 0.5f, true, RandomStream(3, "w")).to_vector(),
            Tensor::zeros({3, 4}).to_vector());
}

TEST(PerturbWeightTest, RelativeGradientTreatsTheStdAsAConstant) {
  Tensor w = testing::random_uniform({5, 6}, -1.0f, 1.0f, 4).set_requires_grad(true);
  const Tensor r = testing::random_uniform({5, 6}, -1.0f, 1.0f, 5);
  sum(mul(perturb_weight(w, 0.3f, true, RandomStream(4, "w")), r)).backward();
  EXPECT_EQ(w.grad().to_vector(), r.to_vector());
}

TEST(WeightNoiseHookTest, PerturbedForwardGradientsMatchFiniteDifferencesAtAFixedClock) {
  testing::HookRig rig(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.2}});
  noisy_weight(rig, *hook, 0, 5);
  WeightLayer& layer = weight_layer(rig, 0);
  EXPECT_NE(layer.forward_weight().to_vector(), layer.weight().to_vector());
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({2, 4}, -1.0f, 1.0f, 6)));
}

TEST(WeightNoiseHookTest, TrainingForwardLeavesTheStoredWeightsAlone) {
  testing::HookRig rig(testing::tabular_info(6), mlp());
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.1}});
  const NamedTensors before = rig.model().state_dict();
  StepContext ctx = rig.context(3);
  const Tensor x = testing::random_uniform({4, 6}, -1.0f, 1.0f, 7);
  Batch batch = rig.batch(x, Tensor::zeros({4}));
  hook->on_batch(ctx, batch);
  rig.model().train();
  rig.model().set_noise_clock({7, 3, kTrainPass});
  const Tensor noisy = rig.model()(x);
  sum(noisy).backward();
  const NamedTensors after = rig.model().state_dict();
  for (std::size_t k = 0; k < before.size(); ++k) {
    EXPECT_EQ(after[k].second.to_vector(), before[k].second.to_vector()) << after[k].first;
  }
  rig.model().eval();
  EXPECT_NE(noisy.to_vector(), rig.model()(x).to_vector());
}

TEST(WeightNoiseHookTest, EvalIsExactlyTheCleanLayer) {
  testing::HookRig rig(testing::tabular_info(6), mlp());
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.5}});
  noisy_weight(rig, *hook, 0, 1);
  rig.model().eval();
  WeightLayer& layer = weight_layer(rig, 0);
  const Tensor x = testing::random_uniform({4, 6}, -1.0f, 1.0f, 8);
  EXPECT_EQ(layer.forward_weight().ptr(), layer.weight().ptr());
  EXPECT_EQ(layer(x).to_vector(), layer.forward_with(x, layer.weight()).to_vector());
}

TEST(WeightNoiseHookTest, NoiseFollowsTheClock) {
  testing::HookRig rig(testing::tabular_info(16), {{{"type", "linear"}, {"out", 8}}});
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.1}});
  testing::expect_noise_follows_clock(weight_layer(rig, 0),
                                      testing::random_uniform({2, 16}, -1.0f, 1.0f, 9));
}

TEST(WeightNoiseHookTest, SameDrawsAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(300), {{{"type", "linear"}, {"out", 400}}});
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.1}, {"relative", true}});
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = noisy_weight(rig, *hook, 0, 2).to_vector();
  set_num_threads(2);
  const std::vector<float> two = noisy_weight(rig, *hook, 0, 2).to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_NE(noisy_weight(rig, *hook, 0, 3).to_vector(), one);
}

TEST(WeightNoiseHookTest, ListedLayersOnlyAndLayersInsideContainers) {
  const nlohmann::json layers = {
      {{"type", "linear"}, {"out", 8}},
      {{"type", "residual"}, {"layers", {{{"type", "linear"}, {"out", 8}}}}},
      {{"type", "dropconnect"}, {"p", 0.0}, {"layer", {{"type", "linear"}, {"out", 3}}}}};
  testing::HookRig rig(testing::tabular_info(5), layers);
  rig.hook({{"type", "weight_noise"}, {"layers", {"model.1.0", "model.2.layer"}}});
  std::vector<std::string> noisy;
  std::function<void(Module&)> visit = [&](Module& m) {
    if (auto* layer = dynamic_cast<WeightLayer*>(&m); layer && layer->has_weight_perturbation()) {
      noisy.push_back(layer->path());
    }
    for (const auto& [name, child] : m.children()) visit(*child);
  };
  visit(rig.model());
  EXPECT_EQ(noisy, (std::vector<std::string>{"model.1.0", "model.2.layer"}));

  testing::HookRig all(testing::tabular_info(5), layers);
  all.hook({{"type", "weight_noise"}});
  noisy.clear();
  visit(all.model());
  EXPECT_EQ(noisy, (std::vector<std::string>{"model.0", "model.1.0", "model.2.layer"}));
}

TEST(WeightNoiseHookTest, PAppliesNoiseToAboutThatFractionOfBatches) {
  testing::HookRig rig(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  auto hook = rig.hook({{"type", "weight_noise"}, {"p", 0.3}});
  int noisy = 0;
  for (int step = 0; step < 1000; ++step) {
    noisy += noisy_weight(rig, *hook, 0, step).ptr() != weight_layer(rig, 0).weight().ptr();
  }
  EXPECT_NEAR(noisy, 300, 60);  // binomial sd 14.5
}

TEST(WeightNoiseHookTest, RampsSigmaAndRestoresItBetweenSteps) {
  testing::HookRig rig(testing::tabular_info(500), {{{"type", "linear"}, {"out", 200}}});
  auto hook = rig.hook({{"type", "weight_noise"}, {"sigma", 0.2}, {"ramp_epochs", 2}});
  const Tensor& w = weight_layer(rig, 0).weight();
  EXPECT_EQ(noisy_weight(rig, *hook, 0, 0, 0).ptr(), w.ptr());
  EXPECT_NEAR(spread(noisy_weight(rig, *hook, 0, 1, 1), w).std, 0.1, 2e-3);
  EXPECT_NEAR(spread(noisy_weight(rig, *hook, 0, 2, 5), w).std, 0.2, 4e-3);
  // Between steps (Monte Carlo evaluation) the full sigma applies, whatever the last batch drew.
  noisy_weight(rig, *hook, 0, 0, 0);
  StepContext ctx = rig.context(0);
  hook->on_step_end(ctx);
  rig.model().eval();
  rig.model().set_mc_sampling(true);
  EXPECT_NEAR(spread(weight_layer(rig, 0).forward_weight(), w).std, 0.2, 4e-3);
}

TEST(WeightNoiseHookTest, RoundTripsThroughJsonWithDefaultsFilledIn) {
  auto hook = std::move(make_hooks(nlohmann::json::array({{{"type", "weight_noise"}}}))[0]);
  const nlohmann::json full = hook->to_json();
  EXPECT_EQ(full, (nlohmann::json{{"type", "weight_noise"},
                                  {"sigma", 0.01},
                                  {"relative", false},
                                  {"layers", "all"},
                                  {"p", 1.0},
                                  {"ramp_epochs", 0.0}}));
  EXPECT_EQ(make_hooks(nlohmann::json::array({full}))[0]->to_json(), full);
  const nlohmann::json listed = {{"type", "weight_noise"}, {"sigma", 0.2}, {"relative", true},
                                 {"layers", {"model.0"}},  {"p", 0.5},     {"ramp_epochs", 1.5}};
  EXPECT_EQ(make_hooks(nlohmann::json::array({listed}))[0]->to_json(), listed);
}

TEST(WeightNoiseHookTest, RefusesWhatIsNotALinearOrConvLayer) {
  auto message = [](testing::HookRig& rig, const nlohmann::json& spec) {
    return testing::config_error([&] { rig.hook(spec, "noise[1]"); });
  };
  testing::HookRig rig(testing::tabular_info(6), mlp());
  std::string m = message(rig, {{"type", "weight_noise"}, {"layers", {"model.0", "model.1"}}});
  EXPECT_NE(m.find("noise[1].layers[1]"), std::string::npos) << m;
  EXPECT_NE(m.find("relu"), std::string::npos) << m;
  EXPECT_NE(m.find("model.0, model.2"), std::string::npos) << m;
  m = message(rig, {{"type", "weight_noise"}, {"layers", {"model.7"}}});
  EXPECT_NE(m.find("no layer 'model.7'"), std::string::npos) << m;

  testing::HookRig no_weights(testing::tabular_info(6), {{{"type", "relu"}}});
  m = message(no_weights, {{"type", "weight_noise"}});
  EXPECT_NE(m.find("noise[1]: the model has no linear or conv layer"), std::string::npos) << m;

  testing::HookRig twice(testing::tabular_info(6), mlp());
  twice.hook({{"type", "weight_noise"}});
  m = message(twice, {{"type", "weight_noise"}, {"layers", {"model.2"}}});
  EXPECT_NE(m.find("model.2 already has weight noise"), std::string::npos) << m;

  EXPECT_THROW(make_hooks(nlohmann::json::array({{{"type", "weight_noise"}, {"layers", "some"}}})),
               ConfigError);
  EXPECT_THROW(make_hooks(nlohmann::json::array({{{"type", "weight_noise"}, {"layers", {1}}}})),
               ConfigError);
}

TEST(WeightNoiseHookTest, LeavesTheModelsJsonAsWritten) {
  testing::HookRig rig(testing::tabular_info(6), mlp());
  const nlohmann::json before = rig.model().to_json();
  rig.hook({{"type", "weight_noise"}});
  EXPECT_EQ(rig.model().to_json(), before);
}

}  // namespace
}  // namespace dither
