// FGSM training with the attack gradient taken from the step's own forward ends with bitwise
// the weights of FGSM training with a separate attack pass, where the two compute the same
// function, and falls back to the separate pass where they do not.

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/adversarial_training.h"
#include "run_testing.h"
#include "train/experiment.h"

namespace dither {
namespace {

// The weights after training on `config`, with the reuse on or off in every FGSM hook.
NamedTensors trained(const nlohmann::json& config, bool reuse) {
  Experiment e = build_experiment(config);
  for (auto& hook : e.hooks) {
    if (auto* fgsm = dynamic_cast<AdversarialTrainingHook*>(hook.get())) {
      fgsm->set_forward_reuse(reuse);
    }
  }
  testing::train_epochs(e);
  return e.model->state_dict();
}

nlohmann::json fgsm_moons(const nlohmann::json& layers,
                          std::initializer_list<nlohmann::json> noise) {
  nlohmann::json config = testing::moons_config(2);
  config["model"]["layers"] = layers;
  config["noise"] = nlohmann::json::array();
  for (const nlohmann::json& hook : noise) config["noise"].push_back(hook);
  return config;
}

TEST(FgsmForwardReuseTest, EndsWithTheWeightsOfTheSeparatePass) {
  const nlohmann::json mlp = nlohmann::json::parse(R"([{"type": "linear", "out": 16},
      {"type": "relu"}, {"type": "linear", "out": 16}, {"type": "tanh"},
      {"type": "linear", "out": 2}])");
  const nlohmann::json bn = nlohmann::json::parse(R"([{"type": "linear", "out": 16},
      {"type": "batch_norm1d"}, {"type": "relu"}, {"type": "linear", "out": 2}])");
  const nlohmann::json dropout = nlohmann::json::parse(R"([{"type": "linear", "out": 16},
      {"type": "relu"}, {"type": "dropout", "p": 0.2}, {"type": "linear", "out": 2}])");
  const nlohmann::json fgsm{{"type", "fgsm"}, {"eps", 0.1}, {"weight", 0.5}};
  nlohmann::json train_mode = fgsm;
  train_mode["attack_mode"] = "train";
  const nlohmann::json later_noise{{"type", "gaussian"}, {"sigma", 0.05}};
  const nlohmann::json smoothing{{"type", "label_smoothing"}, {"eps", 0.1}};
  const struct {
    std::string name;
    nlohmann::json config;
  } cases[] = {
      {"mlp, reused", fgsm_moons(mlp, {fgsm, smoothing})},
      {"batch norm, train-mode attack, reused", fgsm_moons(bn, {train_mode})},
      {"batch norm, eval-mode attack, separate", fgsm_moons(bn, {fgsm})},
      {"dropout, separate", fgsm_moons(dropout, {fgsm})},
      {"inputs changed by a later hook, separate", fgsm_moons(mlp, {fgsm, later_noise})},
      {"two FGSM hooks: the second reused, the first separate", fgsm_moons(mlp, {fgsm, fgsm})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const NamedTensors reused = trained(c.config, true);
    const NamedTensors separate = trained(c.config, false);
    ASSERT_EQ(reused.size(), separate.size());
    for (std::size_t i = 0; i < reused.size(); ++i) {
      EXPECT_EQ(reused[i].second.to_vector(), separate[i].second.to_vector()) << reused[i].first;
    }
  }
  // A control: the weights do depend on the attack.
  nlohmann::json stronger = fgsm;
  stronger["eps"] = 0.2;
  EXPECT_NE(trained(fgsm_moons(mlp, {fgsm}), true)[0].second.to_vector(),
            trained(fgsm_moons(mlp, {stronger}), true)[0].second.to_vector());
}

// The CNN path: Conv2d and its ReLU run as one fused op, and max-pooling, on 256 images.
TEST(FgsmForwardReuseTest, CnnEndsWithTheWeightsOfTheSeparatePass) {
  if (!std::filesystem::exists(std::filesystem::path(testing::kFashionMnist) /
                               "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed at " << testing::kFashionMnist;
  }
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 5,
    "data": {"name": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist",
             "limit_train": 256, "limit_test": 32, "validation_split": 0.0},
    "model": {"layers": [
      {"type": "conv2d", "out": 4, "kernel": 3}, {"type": "relu"}, {"type": "max_pool2d", "kernel": 2},
      {"type": "flatten"}, {"type": "linear", "out": 10}]},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "noise": [{"type": "fgsm", "eps": 0.1, "weight": 0.5}],
    "train": {"epochs": 1, "batch_size": 64}
  })");
  const NamedTensors reused = trained(config, true);
  const NamedTensors separate = trained(config, false);
  for (std::size_t i = 0; i < reused.size(); ++i) {
    EXPECT_EQ(reused[i].second.to_vector(), separate[i].second.to_vector()) << reused[i].first;
  }
}

}  // namespace
}  // namespace dither
