#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_testing.h"
#include "train/data/loader.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/progress.h"
#include "train/trainer.h"

// Short real trainings with the mixing and label techniques: each must still learn. The floors
// sit well under the measured accuracies (noted beside each) and well above chance (0.5 on
// moons, 0.1 on Fashion-MNIST).

namespace dither {
namespace {

using testing::kFashionMnist;

// Trains `config` for its epochs and evaluates on its test split; `after` sees the experiment.
Evaluation train_and_test(const nlohmann::json& config,
                          const std::function<void(const Experiment&)>& after = {}) {
  Experiment e = build_experiment(config);
  testing::train_epochs(e);
  if (after) after(e);
  return evaluate(*e.model, e.data.test);
}

nlohmann::json moons(const nlohmann::json& noise, std::int64_t epochs = 8) {
  nlohmann::json config = testing::moons_config(epochs);
  config["optimizer"] = {{"type", "adam"}, {"lr", 0.01}};
  config["schedule"] = {{"type", "constant"}};
  config["model"]["layers"] = nlohmann::json::parse(R"([
      {"type": "linear", "out": 32}, {"type": "relu"},
      {"type": "linear", "out": 32}, {"type": "relu"}, {"type": "linear", "out": 2}])");
  config["noise"] = noise;
  return config;
}

TEST(LearnsMixingLabelsTest, MixupOnTwoMoons) {
  // Measured 0.975.
  EXPECT_GE(train_and_test(moons(nlohmann::json::parse(R"([{"type": "mixup"}])"), 20)).accuracy,
            0.9);
}

TEST(LearnsMixingLabelsTest, ManifoldMixupOnTwoMoons) {
  // Measured 0.955.
  const auto noise = nlohmann::json::parse(R"([{"type": "manifold_mixup", "mode": "sample"}])");
  EXPECT_GE(train_and_test(moons(noise)).accuracy, 0.85);
}

TEST(LearnsMixingLabelsTest, LabelSmoothingOnTwoMoons) {
  // Measured 0.99.
  const auto noise = nlohmann::json::parse(R"([{"type": "label_smoothing", "eps": 0.1}])");
  EXPECT_GE(train_and_test(moons(noise)).accuracy, 0.9);
}

TEST(LearnsMixingLabelsTest, GceAndSceLearnTwoMoonsThroughThirtyPercentLabelNoise) {
  // Measured 0.85 (gce) and 0.83 (sce).
  for (const char* loss : {R"({"type": "gce"})", R"({"type": "sce"})"}) {
    nlohmann::json config =
        moons(nlohmann::json::parse(R"([{"type": "label_noise", "rate": 0.3}])"), 20);
    config["loss"] = nlohmann::json::parse(loss);
    EXPECT_GE(train_and_test(config).accuracy, 0.75) << loss;
  }
}

TEST(LearnsMixingLabelsTest, CutMixOnAFashionMnistSubset) {
  if (!std::filesystem::exists(std::filesystem::path(kFashionMnist) /
                               "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed at " << kFashionMnist;
  }
  // Measured 0.73.
  const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 42,
    "data": {"name": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist",
             "limit_train": 2000, "limit_test": 500, "validation_split": 0.0},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 128}, {"type": "relu"},
                         {"type": "linear", "out": 10}]},
    "optimizer": {"type": "adam", "lr": 0.002},
    "noise": [{"type": "cutmix", "mode": "sample"}],
    "train": {"epochs": 3, "batch_size": 64}
  })");
  EXPECT_GE(train_and_test(config).accuracy, 0.6);
}

TEST(LearnsMixingLabelsTest, LabelNoiseNeverReachesValidationOrTestLabels) {
  // Every training label flipped (2 classes, rate 1, k -> k + 1 mod 2): the model learns the
  // flipped task, so on the untouched test labels it is almost always wrong. Had the hook
  // reached evaluation, the accuracy would be near 1.
  const auto noise =
      nlohmann::json::parse(R"([{"type": "label_noise", "rate": 1.0, "mode": "asymmetric"}])");
  nlohmann::json config = moons(noise, 6);
  config["data"]["validation_split"] = 0.2;
  std::vector<std::int32_t> labels_before;
  {
    const Experiment fresh = build_experiment(config);
    labels_before = fresh.data.train.labels;
  }
  double validation_accuracy = 1.0;
  const Evaluation test = train_and_test(config, [&](const Experiment& e) {
    EXPECT_EQ(e.data.train.labels, labels_before);
    validation_accuracy = evaluate(*e.model, e.data.validation).accuracy;
  });
  // Measured 0.035 (test) and 0.05 (validation).
  EXPECT_LE(test.accuracy, 0.1);
  EXPECT_LE(validation_accuracy, 0.1);
}

TEST(LabelSmoothingConfigTest, TheResolvedConfigBuildsTheSameLossAgain) {
  nlohmann::json config = moons(
      nlohmann::json::parse(R"([{"type": "label_smoothing", "eps": 0.2, "mode": "others"}])"), 1);
  const Experiment first = build_experiment(config);
  EXPECT_FLOAT_EQ(first.loss->options().label_smoothing, 0.2f);
  // config.json holds the loss as written and the smoothing in the hook, not in both places.
  EXPECT_EQ(first.resolved["loss"]["label_smoothing"], 0.0);
  const Experiment again = build_experiment(first.resolved);
  EXPECT_EQ(again.loss->to_json(), first.loss->to_json());
  EXPECT_EQ(again.resolved, first.resolved);
  config["loss"] = {{"type", "cross_entropy"}, {"label_smoothing", 0.1}};
  try {
    build_experiment(config);
    ADD_FAILURE() << "smoothing set twice was accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(testing::contains(e.what(), "noise[0]")) << e.what();
  }
}

}  // namespace
}  // namespace dither
