#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "layer_testing.h"
#include "layers/layer_norm.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::layer_gradcheck;
using testing::random_uniform;
using testing::set_values;

TEST(LayerNormTest, NormalisesEachRowThenScalesAndShifts) {
  LayerNorm norm(LayerNormOptions{.normalized_shape = {4}});
  set_values(norm.weight(), {1, 2, 1, 1});
  set_values(norm.bias(), {0, 0, 0, 5});
  const std::vector<float> y = norm.forward(Tensor::from({1, 3, 5, 7}, {1, 4})).to_vector();
  // Mean 4, variance 5.
  const double s = std::sqrt(5.0 + 1e-5);
  const std::vector<double> want{-3 / s, 2 * (-1 / s), 1 / s, 3 / s + 5};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-5);
}

TEST(LayerNormTest, SameInTrainingAndEval) {
  LayerNorm norm(LayerNormOptions{.normalized_shape = {3}});
  const Tensor x = random_uniform({2, 3}, -1, 1, 1);
  const auto train = norm.forward(x).to_vector();
  norm.eval();
  EXPECT_EQ(norm.forward(x).to_vector(), train);
}

TEST(LayerNormTest, LayerGradientMatchesFiniteDifferences) {
  LayerNorm norm(LayerNormOptions{.normalized_shape = {2, 3}});
  set_values(norm.weight(), {0.5f, 1.5f, 1.0f, -1.0f, 2.0f, 0.8f});
  set_values(norm.bias(), {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  EXPECT_TRUE(layer_gradcheck(norm, random_uniform({3, 2, 3}, -1, 1, 2)));
}

TEST(LayerNormTest, BuildsFromJsonOverTheLastAxesOfTheInput) {
  const auto last = build_layer({{"type", "layer_norm"}}, {5, 8});
  EXPECT_EQ(last->parameters()[0].shape(), (Shape{8}));
  const auto two = build_layer({{"type", "layer_norm"}, {"axes", 2}, {"eps", 1e-6}}, {5, 8});
  EXPECT_EQ(two->parameters()[0].shape(), (Shape{5, 8}));
  EXPECT_EQ(infer_output_shape(*two, {5, 8}), (Shape{5, 8}));
  EXPECT_EQ(build_layer(two->to_json(), {5, 8})->to_json(), two->to_json());
  EXPECT_NE(config_error([] {
              build_layer({{"type", "layer_norm"}, {"axis", 1}}, {5, 8});
            }).find("model.layers[0]"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "layer_norm"}, {"axes", 3}}, {5, 8});
            }).find("model.layers[0].axes"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
