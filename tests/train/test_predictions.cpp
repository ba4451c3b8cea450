#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "run_testing.h"
#include "train/evaluate.h"
#include "train/metrics.h"
#include "train/predictions.h"

namespace dither {
namespace {

Tensor logits_of(std::initializer_list<float> values, std::int64_t k) {
  return Tensor::from(values, {static_cast<std::int64_t>(values.size()) / k, k});
}

TEST(PredictionsTest, FromLogitsIsTheSoftmax) {
  const Predictions p = from_logits(logits_of({0.0f, std::log(3.0f), 2.0f, 2.0f}, 2), {1, 0});
  EXPECT_NEAR(p.probabilities[0], 0.25, 1e-7);
  EXPECT_NEAR(p.max_probability(0), 0.75, 1e-7);
  EXPECT_NEAR(p.entropy(1), std::log(2.0), 1e-12);
  EXPECT_EQ(p.mutual_information(0), 0.0);  // one pass has nothing to disagree with
  EXPECT_TRUE(p.correct(0));
}

TEST(PredictionsTest, TemperatureFlattensTheDistribution) {
  const Tensor logits = logits_of({2.0f, 0.0f}, 2);
  const Predictions sharp = from_logits(logits, {0});
  const Predictions soft = from_logits(logits, {0}, 2.0);
  EXPECT_NEAR(soft.max_probability(0), std::exp(1.0) / (std::exp(1.0) + 1.0), 1e-7);
  EXPECT_GT(soft.entropy(0), sharp.entropy(0));
  EXPECT_THROW(from_logits(logits, {0}, 0.0), Error);
}

TEST(PredictionsTest, EnsembleOfOneEqualsItsMember) {
  const Tensor logits = Tensor::randn({50, 4}, RandomStream(3, "predictions.logits"), 0.0f, 2.0f);
  std::vector<std::int32_t> labels;
  for (int i = 0; i < 50; ++i) labels.push_back(i % 4);
  const Predictions one = from_logits(logits, labels);
  const Predictions ensemble = average(std::vector<Predictions>{one});
  const Evaluation a = evaluation_of(one);
  const Evaluation b = evaluation_of(ensemble);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_NEAR(a.loss, b.loss, 1e-6);
  EXPECT_NEAR(a.ece, b.ece, 1e-6);
  EXPECT_NEAR(a.brier, b.brier, 1e-6);
  for (std::int64_t i = 0; i < 50; ++i) EXPECT_EQ(ensemble.mutual_information(i), 0.0);
}

TEST(PredictionsTest, DisagreeingMembersHaveMutualInformation) {
  // One member says class 0 for sure, the other class 1: the mean is uniform, each member is
  // certain, so all of the entropy (log 2) is disagreement.
  const Predictions a = from_logits(logits_of({30.0f, -30.0f}, 2), {0});
  const Predictions b = from_logits(logits_of({-30.0f, 30.0f}, 2), {0});
  const Predictions mean = average(std::vector<Predictions>{a, b});
  EXPECT_NEAR(mean.probabilities[0], 0.5, 1e-12);
  EXPECT_NEAR(mean.entropy(0), std::log(2.0), 1e-9);
  EXPECT_NEAR(mean.mutual_information(0), std::log(2.0), 1e-9);
  EXPECT_THROW(average(std::vector<Predictions>{a, from_logits(logits_of({0, 0, 0}, 3), {0})}),
               Error);
}

TEST(PredictionsTest, McSamplingOfAModelWithoutNoiseEqualsTheDeterministicPass) {
  nlohmann::json config = testing::moons_config(1);
  config["model"]["layers"] = nlohmann::json::parse(
      R"([{"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 2}])");
  Experiment e = build_experiment(config);
  const Dataset& test = e.data.test;
  const Predictions det = from_logits(set_logits(*e.model, test, e.seed, 64), test.labels);
  const Predictions mc = mc_predictions(*e.model, test, 8, e.seed, 64);
  const Evaluation a = evaluation_of(det);
  const Evaluation b = evaluation_of(mc);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_NEAR(a.loss, b.loss, 1e-6);
  EXPECT_NEAR(a.ece, b.ece, 1e-6);
  EXPECT_NEAR(a.brier, b.brier, 1e-6);
  for (std::int64_t i = 0; i < mc.size(); ++i) ASSERT_EQ(mc.mutual_information(i), 0.0) << i;
}

TEST(PredictionsTest, McSamplingWithDropoutDisagrees) {
  Experiment e = build_experiment(testing::moons_config(1));  // holds a dropout layer
  const Predictions mc = mc_predictions(*e.model, e.data.test, 8, e.seed, 64);
  double total = 0.0;
  for (std::int64_t i = 0; i < mc.size(); ++i) total += mc.mutual_information(i);
  EXPECT_GT(total / static_cast<double>(mc.size()), 1e-6);
}

TEST(PredictionsTest, SetLogitsMatchEvaluate) {
  Experiment e = build_experiment(testing::moons_config(1));
  const Evaluation direct =
      evaluation_of(from_logits(set_logits(*e.model, e.data.test, e.seed, 32), e.data.test.labels));
  EvalOptions options;
  options.batch_size = 32;
  options.seed = e.seed;
  const Evaluation reference = evaluate(*e.model, e.data.test, options);
  EXPECT_EQ(direct.accuracy, reference.accuracy);
  EXPECT_NEAR(direct.loss, reference.loss, 1e-9);
  EXPECT_NEAR(direct.ece, reference.ece, 1e-9);
}

}  // namespace
}  // namespace dither
