#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "layer_testing.h"
#include "layers/pool.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::layer_gradcheck;
using testing::random_uniform;

const Tensor kGrid =
    Tensor::from({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 1, 4, 4});

TEST(MaxPool2dTest, StrideDefaultsToTheKernel) {
  MaxPool2d pool(Pool2dOptions{.kernel = {2, 2}});
  EXPECT_EQ((*pool.options().stride), (Size2{2, 2}));
  EXPECT_EQ(pool.forward(kGrid).to_vector(), (std::vector<float>{6, 8, 14, 16}));
  EXPECT_EQ(pool.flops({1, 4, 4}), 4 * 4);
}

TEST(MaxPool2dTest, BuildsFromJsonAndRoundTrips) {
  const auto layer = build_layer(
      {{"type", "max_pool2d"}, {"kernel", 3}, {"stride", 2}, {"padding", 1}}, {2, 7, 7});
  EXPECT_EQ(infer_output_shape(*layer, {2, 7, 7}), (Shape{2, 4, 4}));
  const nlohmann::json spec = layer->to_json();
  EXPECT_EQ(spec["kernel"], nlohmann::json({3, 3}));
  EXPECT_EQ(build_layer(spec, {2, 7, 7})->to_json(), spec);
  EXPECT_TRUE(
      layer_gradcheck(*layer, random_uniform({1, 2, 5, 5}, -1, 1, 1), {.kink_range = -1.0}));
}

TEST(MaxPool2dTest, JsonErrorsNameThePath) {
  EXPECT_NE(config_error([] {
              build_layer({{"type", "max_pool2d"}, {"kernel", 2}, {"size", 2}}, {1, 4, 4});
            }).find("model.layers[0]"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "max_pool2d"}, {"kernel", 2}, {"padding", 2}}, {1, 4, 4});
            }).find("model.layers[0].padding: must be at most half the kernel"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "max_pool2d"}}, {1, 4, 4});
            }).find("model.layers[0].kernel"),
            std::string::npos);
}

TEST(AvgPool2dTest, CountIncludePadComesFromJson) {
  const auto with = build_layer({{"type", "avg_pool2d"}, {"kernel", 2}, {"padding", 1}}, {1, 4, 4});
  const auto without = build_layer(
      {{"type", "avg_pool2d"}, {"kernel", 2}, {"padding", 1}, {"count_include_pad", false}},
      {1, 4, 4});
  EXPECT_FLOAT_EQ(with->forward(kGrid).to_vector()[0], 0.25f);
  EXPECT_FLOAT_EQ(without->forward(kGrid).to_vector()[0], 1.0f);
  EXPECT_EQ(without->to_json()["count_include_pad"], false);
  EXPECT_EQ(build_layer(without->to_json(), {1, 4, 4})->to_json(), without->to_json());
  EXPECT_TRUE(layer_gradcheck(*without, random_uniform({1, 2, 4, 4}, -1, 1, 2)));
}

TEST(GlobalAvgPoolTest, AveragesEveryAxisAfterTheChannels) {
  GlobalAvgPool pool;
  EXPECT_EQ(pool.forward(kGrid).to_vector(), (std::vector<float>{8.5f}));
  const Tensor seq = Tensor::from({1, 2, 3, 10, 20, 30}, {1, 2, 3});
  EXPECT_EQ(pool.forward(seq).to_vector(), (std::vector<float>{2, 20}));
  EXPECT_THROW(pool.forward(Tensor::zeros({2, 3})), ShapeError);
  const auto layer = build_layer({{"type", "global_avg_pool"}}, {8, 5, 5});
  EXPECT_EQ(infer_output_shape(*layer, {8, 5, 5}), (Shape{8}));
  EXPECT_TRUE(layer_gradcheck(*layer, random_uniform({2, 3, 2, 2}, -1, 1, 3)));
  EXPECT_NE(config_error([] {
              build_layer({{"type", "global_avg_pool"}}, {8});
            }).find("model.layers[0]: global_avg_pool needs"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
