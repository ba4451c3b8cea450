// Each technique of this group in a short real training: the model still learns with it on,
// and the learned strengths move and are reported.

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "layers/module.h"
#include "run_testing.h"
#include "train/run.h"

namespace dither {
namespace {

using testing::TempDir;

nlohmann::json moons(const nlohmann::json& layers, const nlohmann::json& noise) {
  return testing::adam_moons(layers, noise);
}

const nlohmann::json kDropoutMlp = nlohmann::json::parse(R"([
  {"type": "linear", "out": 32}, {"type": "relu"}, {"type": "dropout", "p": 0.2},
  {"type": "linear", "out": 32}, {"type": "relu"}, {"type": "linear", "out": 2}])");

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Two moons with noise 0.15: these MLPs score about 0.99 without noise; chance is 0.5.
TEST(LearnsWithPniTest, MlpSeparatesTwoMoonsUnderFgsmAndReportsItsScales) {
  const nlohmann::json layers = nlohmann::json::parse(R"([
    {"type": "pni", "layer": {"type": "linear", "out": 32}}, {"type": "relu"},
    {"type": "pni", "granularity": "channel", "layer": {"type": "linear", "out": 32}},
    {"type": "relu"}, {"type": "linear", "out": 2}])");
  const TempDir dir("pni");
  const TrainResult r = testing::fit(moons(layers, {{{"type", "fgsm"}, {"eps", 0.05}}}), dir);
  EXPECT_GE(r.test.accuracy, 0.9);
  const std::string csv = testing::slurp(dir / "run" / "metrics.csv");
  EXPECT_EQ(first_line(csv),
            "epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,seconds,model.0.pni_a,"
            "model.2.pni_a");
  // The last row's scales: trained away from their initial 0.25 and finite.
  std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  std::stringstream cells(last);
  std::string cell;
  std::vector<double> values;
  while (std::getline(cells, cell, ',')) values.push_back(cell.empty() ? 0.0 : std::stod(cell));
  ASSERT_EQ(values.size(), 9u);
  for (std::size_t k = 7; k < 9; ++k) {
    EXPECT_TRUE(std::isfinite(values[k]));
    EXPECT_NE(values[k], 0.25);
  }
}

double learned_rate(double weight_regularizer, double dropout_regularizer) {
  nlohmann::json layers = nlohmann::json::parse(R"([
    {"type": "linear", "out": 32}, {"type": "relu"},
    {"type": "concrete_dropout", "layer": {"type": "linear", "out": 32}}, {"type": "relu"},
    {"type": "linear", "out": 2}])");
  layers[2]["weight_regularizer"] = weight_regularizer;
  layers[2]["dropout_regularizer"] = dropout_regularizer;
  Experiment e = build_experiment(moons(layers, nlohmann::json::array()));
  testing::train_epochs(e);
  const auto reports = module_reports(*e.model);
  EXPECT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports.at(0).first, "model.2.concrete_p");
  return reports.at(0).second;
}

// The documented direction: the dropout regulariser rewards the mask's entropy and pulls p from
// its initial 0.1 towards 0.5; the weight regulariser, divided by 1 - p, pulls p down.
TEST(LearnsWithConcreteDropoutTest, RateMovesWithTheRegularizersWeights) {
  const double neutral = learned_rate(0.0, 0.0);
  const double entropy = learned_rate(0.0, 1e-2);
  const double weights = learned_rate(1e-2, 0.0);
  EXPECT_GT(entropy, 0.15);
  EXPECT_GT(entropy, neutral);
  EXPECT_LT(weights, 0.09);
  EXPECT_LT(weights, neutral);
}

TEST(LearnsWithConcreteDropoutTest, MlpSeparatesTwoMoons) {
  const nlohmann::json layers = nlohmann::json::parse(R"([
    {"type": "linear", "out": 32}, {"type": "relu"},
    {"type": "concrete_dropout", "layer": {"type": "linear", "out": 32}}, {"type": "relu"},
    {"type": "linear", "out": 2}])");
  const TempDir dir("concrete");
  EXPECT_GE(testing::fit(moons(layers, nlohmann::json::array()), dir).test.accuracy, 0.9);
  EXPECT_NE(first_line(testing::slurp(dir / "run" / "metrics.csv")).find(",model.2.concrete_p"),
            std::string::npos);
}

TEST(LearnsWithRDropTest, MlpSeparatesTwoMoons) {
  const TempDir dir("rdrop");
  const TrainResult r =
      testing::fit(moons(kDropoutMlp, {{{"type", "rdrop"}, {"alpha", 1.0}}}), dir);
  EXPECT_GE(r.test.accuracy, 0.9);
}

TEST(LearnsWithConsistencyTest, MlpSeparatesTwoMoonsWithGaussianViews) {
  const TempDir dir("consistency");
  const nlohmann::json noise = {
      {{"type", "consistency"}, {"of", {{"type", "gaussian"}, {"sigma", 0.1}}}, {"lambda", 12}}};
  EXPECT_GE(testing::fit(moons(kDropoutMlp, noise), dir).test.accuracy, 0.9);
}

TEST(LearnsWithSamTest, MlpSeparatesTwoMoons) {
  nlohmann::json config = moons(kDropoutMlp, nlohmann::json::array());
  config["optimizer"] = {
      {"type", "sam"}, {"rho", 0.05}, {"base", {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}}}};
  const TempDir dir("sam");
  EXPECT_GE(testing::fit(config, dir).test.accuracy, 0.9);
}

}  // namespace
}  // namespace dither
