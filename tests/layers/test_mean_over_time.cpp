#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops/shape_ops.h"
#include "layer_testing.h"
#include "layers/mean_over_time.h"

namespace dither {
namespace {

using testing::build_layer;

TEST(MeanOverTimeTest, AveragesEveryStepWithoutLengths) {
  MeanOverTime layer;
  // Sample 0: steps (1, 10), (3, 20); sample 1: (-1, 0), (5, 4).
  const Tensor y = layer(Tensor::from({1, 10, 3, 20, -1, 0, 5, 4}, {2, 2, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{2, 15, 2, 2}));
}

TEST(MeanOverTimeTest, IgnoresPaddingAndGivesItNoGradient) {
  MeanOverTime layer;
  const Tensor valid = testing::random_uniform({1, 3, 2}, -1, 1, 40);
  Tensor padded =
      concat({valid, testing::random_uniform({1, 4, 2}, -9, 9, 41)}, 1).set_requires_grad(true);
  Tensor y;
  {
    const SequenceLengthsGuard lengths(layer, Tensor::from({3}, {1}));
    y = layer(padded);
  }
  const auto expected = layer(valid).to_vector();
  for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(y.to_vector()[j], expected[j], 1e-6);
  sum(y).backward();
  const auto g = padded.grad().to_vector();
  for (std::size_t k = 0; k < g.size(); ++k) EXPECT_FLOAT_EQ(g[k], k < 6 ? 1.0f / 3.0f : 0.0f);
}

TEST(MeanOverTimeTest, LengthZeroGivesZerosAndTheGradientChecks) {
  MeanOverTime layer;
  const SequenceLengthsGuard lengths(layer, Tensor::from({0, 2, 4}, {3}));
  const Tensor x = testing::random_uniform({3, 4, 2}, -1, 1, 42);
  const Tensor y = layer(x);
  EXPECT_EQ(y.data()[0], 0.0f);
  EXPECT_EQ(y.data()[1], 0.0f);
  EXPECT_TRUE(testing::layer_gradcheck(layer, x));
}

TEST(MeanOverTimeTest, JsonNeedsASequenceInput) {
  auto layer = build_layer({{"type", "mean_over_time"}}, {10, 3});
  EXPECT_EQ(layer->to_json(), (nlohmann::json{{"type", "mean_over_time"}}));
  EXPECT_EQ(infer_output_shape(*layer, {10, 3}), (Shape{3}));
  EXPECT_EQ(testing::config_error([] {
              build_layer({{"type", "mean_over_time"}}, {12});
            }),
            "model.layers[0]: mean_over_time needs a per-sample input [T, F], got [12]");
  EXPECT_THROW(MeanOverTime()(Tensor::zeros({2, 3})), ShapeError);
}

}  // namespace
}  // namespace dither
