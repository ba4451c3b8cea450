#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/parallel.h"
#include "run_testing.h"
#include "train/data/loader.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/progress.h"
#include "train/trainer.h"

namespace dither {
namespace {

// Moons with BatchNorm, dropout, Gaussian noise layers and input-noise and FGSM hooks: every
// source of randomness and state an extra pass could disturb.
nlohmann::json noisy_config() {
  nlohmann::json config = testing::moons_config(2);
  config["model"]["layers"] = nlohmann::json::parse(R"([
      {"type": "linear", "out": 32}, {"type": "batch_norm1d"}, {"type": "relu"},
      {"type": "dropout", "p": 0.2}, {"type": "gaussian_noise", "sigma": 0.1},
      {"type": "linear", "out": 2}])");
  config["noise"] = nlohmann::json::parse(
      R"([{"type": "gaussian", "sigma": 0.05}, {"type": "fgsm", "eps": 0.05, "p": 0.5}])");
  return config;
}

// Trains the config for its epochs; `between_epochs` runs after each one. Returns the weights
// and buffers.
std::vector<std::vector<float>> train_weights(
    const nlohmann::json& config, const std::function<void(Experiment&)>& between_epochs = {}) {
  Experiment e = build_experiment(config);
  testing::train_epochs(e, between_epochs);
  std::vector<std::vector<float>> out;
  for (const auto& [name, t] : e.model->state_dict()) out.push_back(t.to_vector());
  return out;
}

TEST(DeterminismTest, TwoRunsInOneProcessEndBitwiseEqual) {
  const auto first = train_weights(noisy_config());
  const auto second = train_weights(noisy_config());
  EXPECT_EQ(first, second);
  nlohmann::json other = noisy_config();
  other["seed"] = 8;
  EXPECT_NE(train_weights(other), first);  // the comparison can fail
}

TEST(DeterminismTest, EvaluatingAndMcSamplingMidTrainingChangeNothingThatFollows) {
  const auto plain = train_weights(noisy_config());
  const auto observed = train_weights(noisy_config(), [](Experiment& e) {
    evaluate(*e.model, e.data.validation);
    EvalOptions mc;
    mc.mc_samples = 4;
    evaluate(*e.model, e.data.test, mc);
  });
  EXPECT_EQ(plain, observed);
}

TEST(DeterminismTest, SameWeightsAtOneAndTwoThreads) {
  const int threads = num_threads();
  set_num_threads(1);
  const auto one = train_weights(noisy_config());
  set_num_threads(2);
  const auto two = train_weights(noisy_config());
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

// evaluate() runs whole batches on each thread when it can, and one batch at a time otherwise:
// every metric must come out the same either way.
TEST(DeterminismTest, EvaluationIsTheSameAtOneAndTwoThreads) {
  for (const bool noisy_at_eval : {false, true}) {
    nlohmann::json config = noisy_config();
    if (noisy_at_eval) {
      config["model"]["layers"][0] = {
          {"type", "pni"}, {"at_eval", true}, {"layer", {{"type", "linear"}, {"out", 32}}}};
    }
    Experiment e = build_experiment(config);
    EXPECT_EQ(e.model->draws_noise_in_eval(), noisy_at_eval);
    EvalOptions options;
    options.batch_size = 7;  // many batches, the last one short
    const int threads = num_threads();
    set_num_threads(1);
    const Evaluation one = evaluate(*e.model, e.data.test, options);
    set_num_threads(2);
    const Evaluation two = evaluate(*e.model, e.data.test, options);
    set_num_threads(threads);
    EXPECT_EQ(one.count, e.data.test.size());
    EXPECT_EQ(one.count, two.count);
    EXPECT_EQ(one.loss, two.loss);
    EXPECT_EQ(one.accuracy, two.accuracy);
    EXPECT_EQ(one.ece, two.ece);
    EXPECT_EQ(one.brier, two.brier);
    EXPECT_EQ(one.confusion, two.confusion);
    EXPECT_TRUE(e.model->is_training());  // the mode is restored
  }
}

TEST(DeterminismTest, McSamplingDrawsNoiseAndIsReproducible) {
  Experiment e = build_experiment(noisy_config());
  EvalOptions mc;
  mc.mc_samples = 8;
  const Evaluation a = evaluate(*e.model, e.data.test, mc);
  const Evaluation b = evaluate(*e.model, e.data.test, mc);
  const Evaluation plain = evaluate(*e.model, e.data.test);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_NE(a.loss, plain.loss);
  EXPECT_TRUE(e.model->is_training());
  EXPECT_FALSE(e.model->mc_sampling());
}

}  // namespace
}  // namespace dither
