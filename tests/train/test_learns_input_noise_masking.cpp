#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "run_testing.h"
#include "train/run.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::kFashionMnist;

// Test accuracy of a short run of `config`.
double test_accuracy(const nlohmann::json& config, const std::string& tag) {
  const testing::TempDir dir("learns-" + tag);
  return testing::fit(config, dir).test.accuracy;
}

// A 784-64-10 MLP for two epochs on 2,000 Fashion-MNIST images; chance is 0.1.
nlohmann::json fashion_config(const nlohmann::json& noise) {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 42,
    "data": {"name": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist",
             "limit_train": 2000, "limit_test": 500},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 64}, {"type": "relu"},
                         {"type": "linear", "out": 10}]},
    "optimizer": {"type": "adam", "lr": 0.003},
    "train": {"epochs": 3, "batch_size": 50}
  })");
  config["noise"] = nlohmann::json::array({noise});
  return config;
}

class LearnsWithInputNoiseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fs::path(kFashionMnist) / "train-images-idx3-ubyte.gz")) {
      GTEST_SKIP() << "Fashion-MNIST is not installed at " << kFashionMnist;
    }
  }
};

// Measured here (seed 42): uniform 0.790, salt_pepper 0.798, speckle 0.790, cutout 0.792,
// random_erasing 0.780; 0.790 without noise. The floor leaves room for another BLAS, not for a
// hook that destroys the images.
TEST_F(LearnsWithInputNoiseTest, FashionMnistMlpWithUniformNoise) {
  EXPECT_GE(test_accuracy(fashion_config({{"type", "uniform"}, {"amplitude", 0.2}}), "uniform"),
            0.7);
}

TEST_F(LearnsWithInputNoiseTest, FashionMnistMlpWithSaltAndPepper) {
  EXPECT_GE(test_accuracy(fashion_config({{"type", "salt_pepper"}, {"amount", 0.05}}), "sp"), 0.7);
}

TEST_F(LearnsWithInputNoiseTest, FashionMnistMlpWithSpeckle) {
  EXPECT_GE(test_accuracy(fashion_config({{"type", "speckle"}, {"sigma", 0.3}}), "speckle"), 0.7);
}

TEST_F(LearnsWithInputNoiseTest, FashionMnistMlpWithCutout) {
  EXPECT_GE(test_accuracy(fashion_config({{"type", "cutout"}, {"length", 10}}), "cutout"), 0.7);
}

TEST_F(LearnsWithInputNoiseTest, FashionMnistMlpWithRandomErasing) {
  EXPECT_GE(test_accuracy(fashion_config({{"type", "random_erasing"}, {"value", "pixel"}}), "re"),
            0.7);
}

// Measured 0.800 (0.828 without the hook); the loans ceiling is about 0.83.
TEST(LearnsWithFeatureMaskTest, LoansMlpWithMarginalFeatureMasking) {
  const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 42,
    "data": {"name": "loans", "train_size": 2000, "test_size": 500, "missing": "mean"},
    "model": {"layers": [{"type": "linear", "out": 32}, {"type": "relu"},
                         {"type": "linear", "out": 2}]},
    "optimizer": {"type": "adam", "lr": 0.003},
    "train": {"epochs": 5, "batch_size": 64},
    "noise": [{"type": "feature_mask", "rate": 0.15, "fill": "marginal"}]
  })");
  EXPECT_GE(test_accuracy(config, "feature-mask"), 0.72);
}

}  // namespace
}  // namespace dither
