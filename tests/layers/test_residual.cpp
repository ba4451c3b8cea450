#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/activations.h"
#include "layers/linear.h"
#include "layers/residual.h"

namespace dither {
namespace {

using testing::config_error;
using testing::set_values;

TEST(ResidualTest, AddsTheBranchToTheInput) {
  auto branch = std::make_shared<Linear>(LinearOptions{.in = 2, .out = 2});
  set_values(branch->weight(), {1, 1, 0, 2});
  set_values(branch->bias(), {0.5f, 0});
  Residual block({branch, std::make_shared<ReLU>()});
  // x = [1, -1]: f(x) = relu([0.5, -2]) = [0.5, 0]; y = [1.5, -1]
  EXPECT_EQ(block(Tensor::from({1, -1}, {1, 2})).to_vector(), (std::vector<float>{1.5f, -1.0f}));
  EXPECT_EQ(block.type_name(), "residual");
}

TEST(ResidualTest, GradientMatchesFiniteDifferences) {
  manual_seed(1);
  Residual block(
      {std::make_shared<Linear>(LinearOptions{.in = 3, .out = 3}), std::make_shared<Tanh>()});
  EXPECT_TRUE(testing::layer_gradcheck(block, testing::random_uniform({2, 3}, -1, 1, 51)));
}

TEST(ResidualTest, BranchThatChangesTheShapeIsAShapeError) {
  Residual block({std::make_shared<Linear>(LinearOptions{.in = 3, .out = 1})});
  try {
    block(Tensor::zeros({4, 3}));
    FAIL() << "expected a ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(),
                 "residual: the branch maps [4,3] to [4,1]; x + f(x) needs both shapes equal");
  }
}

TEST(ResidualTest, JsonShapeMismatchNamesThePathAndBothShapes) {
  const nlohmann::json spec = {
      {"layers",
       {{{"type", "flatten"}},
        {{"type", "residual"}, {"layers", {{{"type", "linear"}, {"out", 8}}}}}}}};
  EXPECT_EQ(config_error([&] {
              build_model(spec, {4, 4});
            }),
            "model.layers[1]: the residual branch maps [16] to [8]; x + f(x) needs both shapes "
            "equal");
}

TEST(ResidualTest, NestedErrorsCarryTheNestedPath) {
  const nlohmann::json spec = {
      {"layers", {{{"type", "residual"}, {"layers", {{{"type", "linear"}, {"outt", 4}}}}}}}};
  const std::string message = config_error([&] { build_model(spec, {4}); });
  EXPECT_EQ(message.rfind("model.layers[0].layers[0].outt: unknown key (did you mean 'out'?)", 0),
            0u)
      << message;
  const nlohmann::json empty = {
      {"layers", {{{"type", "residual"}, {"layers", nlohmann::json::array()}}}}};
  EXPECT_EQ(config_error([&] { build_model(empty, {4}); }),
            "model.layers[0].layers: must be a non-empty list of layers, got []");
}

TEST(ResidualTest, JsonRoundTripsWithNestedParameterNames) {
  const nlohmann::json spec = {
      {"layers",
       {{{"type", "linear"}, {"out", 4}},
        {{"type", "residual"},
         {"layers", {{{"type", "linear"}, {"out", 4}}, {{"type", "gelu"}}}}}}}};
  auto model = build_model(spec, {3});
  std::vector<std::string> names;
  for (const auto& [name, t] : model->named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "1.0.weight", "1.0.bias"}));
  const nlohmann::json full = model->to_json();
  EXPECT_EQ(full["layers"][1]["type"], "residual");
  EXPECT_EQ(full["layers"][1]["layers"][0]["in"], 4);
  EXPECT_EQ(build_model(full, {3})->to_json(), full);
}

}  // namespace
}  // namespace dither
