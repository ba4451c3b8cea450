#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/dropout.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

class DropoutTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

std::int64_t count_equal(const Tensor& t, float value) {
  std::int64_t n = 0;
  for (float v : t.data()) n += v == value;
  return n;
}

TEST_F(DropoutTest, KeepsTheMeanAndZeroesAboutPOfTheInputs) {
  Dropout layer(0.3);
  const Tensor y = layer(Tensor::ones({100000}));
  EXPECT_NEAR(mean(y).item(), 1.0, 0.01);
  const std::int64_t zeros = count_equal(y, 0.0f);
  EXPECT_NEAR(static_cast<double>(zeros) / 1e5, 0.3, 0.01);
  // Survivors carry exactly 1 / (1 - p): nothing else appears.
  EXPECT_EQ(zeros + count_equal(y, static_cast<float>(1.0 / 0.7)), 100000);
}

TEST_F(DropoutTest, EvalIsTheBitwiseIdentityAndDrawsNothing) {
  Dropout layer(0.5);
  layer.eval();
  const Tensor x = testing::random_uniform({4, 5}, -1.0f, 1.0f, 3);
  const std::uint64_t position = default_generator().position();
  const Tensor first = layer(x);
  const Tensor second = layer(x);
  EXPECT_EQ(first.ptr(), x.ptr());
  EXPECT_EQ(first.to_vector(), x.to_vector());
  EXPECT_EQ(second.to_vector(), first.to_vector());
  EXPECT_EQ(default_generator().position(), position);
}

TEST_F(DropoutTest, ZeroIsTheIdentityAndOneGivesZeros) {
  const Tensor x = Tensor::from({1.0f, -2.0f, 3e38f, 4.0f}, {2, 2});
  Dropout keep_all(0.0);
  EXPECT_EQ(keep_all(x).ptr(), x.ptr());
  Dropout drop_all(1.0);
  const Tensor y = drop_all(x);
  EXPECT_EQ(count_equal(y, 0.0f), 4);
}

TEST_F(DropoutTest, McSamplingKeepsNoiseOnInEval) {
  Dropout layer(0.5);
  layer.eval();
  layer.set_mc_sampling(true);
  const Tensor x = Tensor::ones({1000});
  EXPECT_GT(count_equal(layer(x), 0.0f), 0);
  layer.set_mc_sampling(false);
  EXPECT_EQ(count_equal(layer(x), 0.0f), 0);
}

TEST_F(DropoutTest, MasksFollowTheNoiseClock) {
  Dropout layer(0.5);
  testing::expect_noise_follows_clock(layer, Tensor::ones({1000}));
}

TEST_F(DropoutTest, MaskDoesNotDependOnTheThreadCount) {
  Dropout layer(0.5);
  const Tensor x = Tensor::ones({3 * kGrainSize + 7});
  const int threads = num_threads();
  set_num_threads(1);
  manual_seed(5);
  const Tensor serial = layer(x);
  set_num_threads(2);
  manual_seed(5);
  const Tensor parallel = layer(x);
  set_num_threads(threads);
  EXPECT_EQ(serial.to_vector(), parallel.to_vector());
}

TEST_F(DropoutTest, GradientMatchesFiniteDifferences) {
  Dropout layer(0.4);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({6, 8}, -1.0f, 1.0f, 7)}));
}

TEST_F(DropoutTest, GradientFlowsThroughTheSameMask) {
  Dropout layer(0.5);
  Tensor x = Tensor::ones({64}).set_requires_grad(true);
  const Tensor y = layer(x);
  sum(y).backward();
  EXPECT_EQ(x.grad().to_vector(), y.to_vector());  // dy/dx = m / (1 - p) = y at x = 1
}

TEST_F(DropoutTest, ProbabilityOutsideTheUnitIntervalThrows) {
  EXPECT_THROW(Dropout(-0.1), ConfigError);
  EXPECT_THROW(Dropout(1.5), ConfigError);
  EXPECT_THROW(Dropout(std::nan("")), ConfigError);
}

TEST_F(DropoutTest, BuildsFromJsonAndRoundTrips) {
  const nlohmann::json spec = {{"type", "dropout"}, {"p", 0.25}};
  auto layer = LayerRegistry::instance().create(LayerContext{spec, "model.layers[1]", {8}});
  EXPECT_EQ(layer->to_json(), spec);
  const nlohmann::json defaulted = {{"type", "dropout"}};
  EXPECT_EQ(LayerRegistry::instance()
                .create(LayerContext{defaulted, "model.layers[1]", {8}})
                ->to_json()["p"],
            0.5);
}

TEST_F(DropoutTest, BadJsonNamesThePath) {
  const nlohmann::json out_of_range = {{"type", "dropout"}, {"p", 1.5}};
  const nlohmann::json misspelt = {{"type", "dropout"}, {"rate", 0.5}};
  for (const auto& spec : {out_of_range, misspelt}) {
    try {
      LayerRegistry::instance().create(LayerContext{spec, "model.layers[1]", {8}});
      ADD_FAILURE() << "no error for " << spec.dump();
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("model.layers[1]."), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace dither
