#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/registry.h"
#include "layers/spatial_dropout.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

class SpatialDropoutTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

TEST_F(SpatialDropoutTest, ZeroesWholeChannelsAndKeepsTheMean) {
  SpatialDropout2d layer(0.3);
  const std::int64_t channels = 500 * 200;
  const std::int64_t plane = 2 * 3;
  const Tensor y = layer(Tensor::ones({500, 200, 2, 3}));
  EXPECT_NEAR(mean(y).item(), 1.0, 0.01);
  std::int64_t dropped = 0;
  for (std::int64_t c = 0; c < channels; ++c) {
    const float* values = y.ptr() + c * plane;
    for (std::int64_t k = 1; k < plane; ++k) ASSERT_EQ(values[k], values[0]) << "channel " << c;
    dropped += values[0] == 0.0f;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / static_cast<double>(channels), 0.3, 0.01);
}

TEST_F(SpatialDropoutTest, OneDimensionalDropsWholeSequences) {
  SpatialDropout1d layer(0.5);
  const Tensor y = layer(Tensor::ones({20, 10, 7}));
  std::int64_t dropped = 0;
  for (std::int64_t c = 0; c < 200; ++c) {
    for (std::int64_t k = 1; k < 7; ++k) ASSERT_EQ(y.ptr()[c * 7 + k], y.ptr()[c * 7]);
    dropped += y.ptr()[c * 7] == 0.0f;
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, 200);
}

TEST_F(SpatialDropoutTest, EvalIsTheIdentityUnlessMcSampling) {
  SpatialDropout2d layer(0.5);
  layer.eval();
  const Tensor x = testing::random_uniform({2, 3, 2, 2}, -1.0f, 1.0f, 3);
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).ptr(), x.ptr());
}

TEST_F(SpatialDropoutTest, WrongRankNamesTheLayerAndTheShape) {
  SpatialDropout2d layer(0.5);
  for (bool training : {true, false}) {
    layer.train(training);
    try {
      layer(Tensor::zeros({8, 3, 5}));
      ADD_FAILURE() << "no error";
    } catch (const ShapeError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("spatial_dropout2d"), std::string::npos) << message;
      EXPECT_NE(message.find("[8,3,5]"), std::string::npos) << message;
    }
  }
  EXPECT_THROW(SpatialDropout1d(0.5)(Tensor::zeros({8, 3})), ShapeError);
}

TEST_F(SpatialDropoutTest, MasksFollowTheNoiseClock) {
  SpatialDropout1d layer(0.5);
  testing::expect_noise_follows_clock(layer, Tensor::ones({16, 16, 2}));
}

TEST_F(SpatialDropoutTest, GradientMatchesFiniteDifferences) {
  SpatialDropout2d layer(0.5);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({2, 4, 2, 3}, -1.0f, 1.0f, 7)}));
}

TEST_F(SpatialDropoutTest, BuildsFromJsonAndRoundTrips) {
  for (const char* type : {"spatial_dropout1d", "spatial_dropout2d"}) {
    const nlohmann::json spec = {{"type", type}, {"p", 0.2}};
    EXPECT_EQ(LayerRegistry::instance().create(LayerContext{spec, "m", {3, 4, 4}})->to_json(),
              spec);
  }
  const nlohmann::json bad = {{"type", "spatial_dropout2d"}, {"p", -0.5}};
  EXPECT_THROW(LayerRegistry::instance().create(LayerContext{bad, "m", {3, 4, 4}}), ConfigError);
}

}  // namespace
}  // namespace dither
