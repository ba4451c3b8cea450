#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/linear.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::set_values;

TEST(LinearTest, ForwardMatchesHandComputedValues) {
  Linear layer(LinearOptions{.in = 3, .out = 2});
  set_values(layer.weight(), {1, 2, 3, -1, 0, 1});
  set_values(layer.bias(), {0.5f, -0.5f});
  const Tensor y = layer(Tensor::from({1, 1, 1, 2, 0, -1}, {2, 3}));
  // [1,1,1]: 6.5, -0.5; [2,0,-1]: -1 + 0.5, -3 - 0.5
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{6.5f, -0.5f, -0.5f, -3.5f}));
}

TEST(LinearTest, ActsOnTheLastAxisOfAnyRank) {
  Linear layer(LinearOptions{.in = 2, .out = 1, .bias = false});
  set_values(layer.weight(), {1, 10});
  const Tensor y = layer(Tensor::from({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{21, 43, 65, 87}));
}

TEST(LinearTest, GradientMatchesFiniteDifferences) {
  manual_seed(1);
  Linear layer(LinearOptions{.in = 4, .out = 3});
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({5, 4}, -1, 1, 11)));
}

TEST(LinearTest, GradientWithoutBiasMatchesFiniteDifferences) {
  manual_seed(2);
  Linear layer(LinearOptions{.in = 3, .out = 2, .bias = false});
  ASSERT_EQ(layer.parameters().size(), 1u);
  EXPECT_FALSE(layer.bias().defined());
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({2, 2, 3}, -1, 1, 12)));
}

TEST(LinearTest, DefaultInitStaysWithinOneOverSqrtIn) {
  manual_seed(3);
  Linear layer(LinearOptions{.in = 64, .out = 32});
  const float bound = 1.0f / 8.0f;
  for (const Tensor& p : layer.parameters()) {
    for (float v : p.data()) EXPECT_LE(std::abs(v), bound);
  }
  EXPECT_EQ(layer.named_parameters()[0].first, "weight");
  EXPECT_EQ(layer.named_parameters()[1].first, "bias");
}

TEST(LinearTest, ModeDoesNotChangeTheOutput) {
  manual_seed(4);
  Linear layer(LinearOptions{.in = 3, .out = 2});
  const Tensor x = testing::random_uniform({2, 3}, -1, 1, 13);
  const std::vector<float> train = layer(x).to_vector();
  layer.eval();
  EXPECT_EQ(layer(x).to_vector(), train);
}

TEST(LinearTest, WrongFeatureCountNamesBothShapes) {
  Linear layer(LinearOptions{.in = 3, .out = 2});
  try {
    layer(Tensor::zeros({4, 5}));
    FAIL() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "linear: input [4,5] must be [N, ..., 3] for weight [2,3]");
  }
  EXPECT_THROW(Linear(LinearOptions{.in = 0, .out = 2}), Error);
}

TEST(LinearTest, FlopsCountEveryPosition) {
  Linear layer(LinearOptions{.in = 3, .out = 2});
  EXPECT_EQ(layer.flops({3}), 6);
  EXPECT_EQ(layer.flops({5, 3}), 30);
}

TEST(LinearTest, JsonInfersInAndRoundTrips) {
  auto layer = build_layer({{"type", "linear"}, {"out", 4}}, {7});
  const nlohmann::json spec = layer->to_json();
  EXPECT_EQ(spec,
            (nlohmann::json{
                {"type", "linear"}, {"in", 7}, {"out", 4}, {"bias", true}, {"init", "default"}}));
  auto again = build_layer(spec, {7});
  EXPECT_EQ(again->to_json(), spec);
  EXPECT_EQ(again->named_parameters()[0].second.shape(), (Shape{4, 7}));
}

TEST(LinearTest, JsonOptionsReachTheLayer) {
  auto layer = build_layer(
      {{"type", "linear"}, {"out", 2}, {"bias", false}, {"init", "xavier_normal"}}, {3});
  const auto& linear = dynamic_cast<const Linear&>(*layer);
  EXPECT_FALSE(linear.options().bias);
  EXPECT_EQ(linear.options().init, "xavier_normal");
  EXPECT_EQ(layer->parameters().size(), 1u);
}

TEST(LinearTest, JsonErrorsNameThePath) {
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "linear"}}, {3});
            }),
            "model.layers[0].out: is required");
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "linear"}, {"out", 0}}, {3});
            }),
            "model.layers[0].out: must be an integer in [1, 1048576], got 0");
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "linear"}, {"out", 3'000'000'000}}, {3});
            }),
            "model.layers[0].out: must be an integer in [1, 1048576], got 3000000000");
  const std::string unknown = config_error([] {
    build_layer({{"type", "linear"}, {"out", 2}, {"bais", false}}, {3});
  });
  EXPECT_EQ(unknown.rfind("model.layers[0].bais: unknown key (did you mean 'bias'?)", 0), 0u)
      << unknown;
  const std::string mismatch = config_error([] {
    build_layer({{"type", "linear"}, {"in", 5}, {"out", 2}}, {3});
  });
  EXPECT_EQ(mismatch, "model.layers[0].in: is 5 but the input reaching this layer is [3] (3)");
  const std::string scalar = config_error([] {
    build_layer({{"type", "linear"}, {"out", 2}}, {});
  });
  EXPECT_EQ(scalar.rfind("model.layers[0]: linear needs a per-sample input", 0), 0u) << scalar;
}

}  // namespace
}  // namespace dither
