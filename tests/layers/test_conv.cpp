#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/random.h"
#include "layer_testing.h"
#include "layers/conv.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::layer_gradcheck;
using testing::random_uniform;
using testing::set_values;

TEST(Conv2dTest, ForwardWithSetWeightsGivesHandComputedValues) {
  Conv2d conv(Conv2dOptions{.in = 1, .out = 1, .kernel = {2, 2}});
  set_values(conv.weight(), {1, 1, 1, 1});
  set_values(conv.bias(), {0.5f});
  const Tensor x = Tensor::from({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  EXPECT_EQ(conv.forward(x).to_vector(), (std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f}));
}

TEST(Conv2dTest, LayerGradientMatchesFiniteDifferences) {
  manual_seed(1);
  Conv2d conv(Conv2dOptions{.in = 2,
                            .out = 2,
                            .kernel = {2, 3},
                            .stride = {2, 1},
                            .padding = {1, 1},
                            .dilation = {1, 2}});
  EXPECT_TRUE(layer_gradcheck(conv, random_uniform({2, 2, 4, 5}, -1, 1, 1)));
}

TEST(Conv2dTest, DefaultInitIsPyTorchsUniformBound) {
  manual_seed(2);
  Conv2d conv(Conv2dOptions{.in = 4, .out = 8, .kernel = {3, 3}});
  EXPECT_EQ(conv.weight().shape(), (Shape{8, 4, 3, 3}));
  const float bound = 1.0f / std::sqrt(36.0f);
  float largest = 0.0f;
  for (float w : conv.weight().to_vector()) largest = std::max(largest, std::abs(w));
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.8f * bound);
  for (float b : conv.bias().to_vector()) EXPECT_LE(std::abs(b), bound);
}

TEST(Conv2dTest, ForwardWithUsesTheGivenWeight) {
  Conv2d conv(Conv2dOptions{.in = 1, .out = 1, .kernel = {1, 1}, .bias = false});
  const Tensor x = Tensor::from({1, 2}, {1, 1, 1, 2});
  EXPECT_EQ(conv.forward_with(x, Tensor::from({3}, {1, 1, 1, 1})).to_vector(),
            (std::vector<float>{3, 6}));
  EXPECT_THROW(conv.forward_with(x, Tensor::ones({1, 1, 2, 2})), ShapeError);
}

TEST(Conv2dTest, BuildsFromJsonWithInChannelsInferred) {
  const auto layer =
      build_layer({{"type", "conv2d"}, {"out", 4}, {"kernel", {3, 2}}, {"padding", 1}}, {3, 8, 8});
  auto* conv = dynamic_cast<Conv2d*>(layer.get());
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->weight().shape(), (Shape{4, 3, 3, 2}));
  EXPECT_EQ(infer_output_shape(*conv, {3, 8, 8}), (Shape{4, 8, 9}));
  EXPECT_EQ(conv->flops({3, 8, 8}), 4 * 8 * 9 * 3 * 3 * 2);
  const nlohmann::json spec = conv->to_json();
  EXPECT_EQ(spec["in"], 3);
  EXPECT_EQ(spec["stride"], nlohmann::json({1, 1}));
  EXPECT_EQ(spec["init"], "default");
  EXPECT_EQ(build_layer(spec, {3, 8, 8})->to_json(), spec);
}

TEST(Conv2dTest, JsonErrorsNameThePath) {
  const std::string typo = config_error([] {
    build_layer({{"type", "conv2d"}, {"out", 4}, {"kernel", 3}, {"strid", 2}}, {3, 8, 8});
  });
  EXPECT_NE(typo.find("model.layers[0]"), std::string::npos) << typo;
  EXPECT_NE(typo.find("stride"), std::string::npos) << typo;
  EXPECT_NE(config_error([] {
              build_layer({{"type", "conv2d"}, {"out", 4}, {"kernel", 3}}, {784});
            }).find("model.layers[0]: conv2d needs a per-sample input [C,H,W], got [784]"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "conv2d"}, {"in", 2}, {"out", 4}, {"kernel", 3}}, {3, 8, 8});
            }).find("model.layers[0].in: is 2"),
            std::string::npos);
  EXPECT_NE(
      config_error([] {
        build_layer({{"type", "conv2d"}, {"out", 4}, {"kernel", 3}, {"init", "he"}}, {3, 8, 8});
      }).find("model.layers[0].init"),
      std::string::npos);
  EXPECT_NE(
      config_error([] {
        build_layer({{"type", "conv2d"}, {"out", 4}, {"kernel", 3}, {"stride", 0}}, {3, 8, 8});
      }).find("model.layers[0].stride"),
      std::string::npos);
}

TEST(Conv1dTest, LayerGradientMatchesFiniteDifferences) {
  manual_seed(3);
  Conv1d conv(
      Conv1dOptions{.in = 3, .out = 2, .kernel = 3, .stride = 2, .padding = 1, .dilation = 2});
  EXPECT_TRUE(layer_gradcheck(conv, random_uniform({2, 3, 9}, -1, 1, 2)));
}

TEST(Conv1dTest, BuildsFromJsonWithInChannelsInferred) {
  const auto layer = build_layer(
      {{"type", "conv1d"}, {"out", 5}, {"kernel", 3}, {"init", "xavier_normal"}}, {2, 10});
  EXPECT_EQ(layer->parameters()[0].shape(), (Shape{5, 2, 3}));
  EXPECT_EQ(infer_output_shape(*layer, {2, 10}), (Shape{5, 8}));
  EXPECT_EQ(layer->flops({2, 10}), 5 * 8 * 2 * 3);
  EXPECT_EQ(layer->to_json()["init"], "xavier_normal");
  EXPECT_EQ(build_layer(layer->to_json(), {2, 10})->to_json(), layer->to_json());
  EXPECT_NE(config_error([] {
              build_layer({{"type", "conv1d"}, {"out", 5}, {"kernel", 3}, {"bais", true}}, {2, 10});
            }).find("model.layers[0]"),
            std::string::npos);
}

TEST(Conv1dTest, KernelLongerThanTheInputIsAConfigError) {
  const std::string message = config_error([] {
    build_model({{"layers", {{{"type", "conv1d"}, {"out", 5}, {"kernel", 7}}}}}, {2, 4});
  });
  EXPECT_NE(message.find("model.layers[0]"), std::string::npos) << message;
  EXPECT_NE(message.find("conv1d: kernel [7]"), std::string::npos) << message;
}

}  // namespace
}  // namespace dither
