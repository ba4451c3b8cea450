#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/gaussian_noise.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

class GaussianNoiseTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

double variance(const Tensor& y) {
  const Tensor centred = sub(y, mean(y));
  return mean(mul(centred, centred)).item();
}

TEST_F(GaussianNoiseTest, AddsZeroMeanNoiseWithStandardDeviationSigma) {
  GaussianNoise layer(0.5);
  const Tensor y = layer(Tensor::zeros({100000}));
  EXPECT_NEAR(mean(y).item(), 0.0, 0.01);
  EXPECT_NEAR(std::sqrt(variance(y)), 0.5, 0.005);
}

TEST_F(GaussianNoiseTest, EvalAndZeroSigmaAreTheIdentity) {
  const Tensor x = testing::random_uniform({3, 4}, -1.0f, 1.0f, 3);
  GaussianNoise layer(0.3);
  layer.eval();
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), x.to_vector());
  GaussianNoise silent(0.0);
  EXPECT_EQ(silent(x).ptr(), x.ptr());
}

TEST_F(GaussianNoiseTest, NoiseFollowsTheNoiseClock) {
  GaussianNoise layer(1.0);
  testing::expect_noise_follows_clock(layer, Tensor::zeros({100}));
}

TEST_F(GaussianNoiseTest, GradientMatchesFiniteDifferences) {
  GaussianNoise layer(0.7);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({4, 6}, -1.0f, 1.0f, 7)}));
}

TEST_F(GaussianNoiseTest, BuildsFromJsonAndRejectsBadSigma) {
  const nlohmann::json spec = {{"type", "gaussian_noise"}, {"sigma", 0.25}};
  EXPECT_EQ(LayerRegistry::instance().create(LayerContext{spec, "m", {4}})->to_json(), spec);
  const nlohmann::json missing = {{"type", "gaussian_noise"}};
  try {
    LayerRegistry::instance().create(LayerContext{missing, "model.layers[0]", {4}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[0].sigma"), std::string::npos) << e.what();
  }
  EXPECT_THROW(GaussianNoise(-1.0), ConfigError);
  EXPECT_THROW(GaussianNoise(std::nan("")), ConfigError);
  EXPECT_THROW(GaussianNoise{INFINITY}, ConfigError);
}

class GaussianDropoutTest : public GaussianNoiseTest {};

TEST_F(GaussianDropoutTest, MultipliesByNoiseOfMeanOneAndVariancePOverOneMinusP) {
  GaussianDropout layer(0.3);
  const Tensor y = layer(Tensor::ones({100000}));
  EXPECT_NEAR(mean(y).item(), 1.0, 0.01);
  EXPECT_NEAR(variance(y), 0.3 / 0.7, 0.01);
  // Multiplicative: a zero input stays zero.
  EXPECT_EQ(sum(mul(layer(Tensor::zeros({100})), 1.0f)).item(), 0.0f);
}

TEST_F(GaussianDropoutTest, EvalIsTheIdentityUnlessMcSampling) {
  GaussianDropout layer(0.5);
  layer.eval();
  const Tensor x = Tensor::ones({10});
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), x.to_vector());
}

TEST_F(GaussianDropoutTest, GradientMatchesFiniteDifferences) {
  GaussianDropout layer(0.4);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({4, 6}, -1.0f, 1.0f, 8)}));
}

TEST_F(GaussianDropoutTest, PMustBeBelowOne) {
  EXPECT_THROW(GaussianDropout(1.0), ConfigError);
  const nlohmann::json spec = {{"type", "gaussian_dropout"}, {"p", 1.0}};
  try {
    LayerRegistry::instance().create(LayerContext{spec, "model.layers[2]", {4}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[2].p"), std::string::npos) << e.what();
  }
  const nlohmann::json fine = {{"type", "gaussian_dropout"}, {"p", 0.1}};
  EXPECT_EQ(LayerRegistry::instance().create(LayerContext{fine, "m", {4}})->to_json(), fine);
}

}  // namespace
}  // namespace dither
