#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "layer_testing.h"
#include "layers/flatten.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;

TEST(FlattenTest, KeepsTheBatchAxisAndTheValues) {
  Flatten flatten;
  const Tensor x = testing::random_uniform({2, 3, 2, 2}, -1, 1, 1);
  const Tensor y = flatten(x);
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_EQ(y.to_vector(), x.to_vector());
}

TEST(FlattenTest, StartAxisKeepsTheLeadingAxes) {
  Flatten flatten(2);
  EXPECT_EQ(flatten(Tensor::zeros({2, 3, 4, 5})).shape(), (Shape{2, 3, 20}));
  EXPECT_THROW(flatten(Tensor::zeros({2, 3})), ShapeError);
  EXPECT_THROW(Flatten(0), Error);
}

TEST(FlattenTest, GradientMatchesFiniteDifferences) {
  Flatten flatten;
  EXPECT_TRUE(testing::layer_gradcheck(flatten, testing::random_uniform({2, 2, 3}, -1, 1, 2)));
}

TEST(FlattenTest, JsonRoundTripsAndValidatesStartAxis) {
  auto layer = build_layer({{"type", "flatten"}}, {3, 4, 4});
  EXPECT_EQ(layer->to_json(), (nlohmann::json{{"type", "flatten"}, {"start_axis", 1}}));
  EXPECT_EQ(build_layer(layer->to_json(), {3, 4, 4})->to_json(), layer->to_json());
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "flatten"}, {"start_axis", 4}}, {3, 4, 4});
            }),
            "model.layers[0].start_axis: must be an integer in [1, 3], got 4");
  EXPECT_EQ(infer_output_shape(*build_layer({{"type", "flatten"}, {"start_axis", 2}}, {3, 4, 4}),
                               {3, 4, 4}),
            (Shape{3, 16}));
}

}  // namespace
}  // namespace dither
