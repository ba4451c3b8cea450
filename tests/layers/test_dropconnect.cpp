#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/activations.h"
#include "layers/conv.h"
#include "layers/dropconnect.h"
#include "layers/linear.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

class DropConnectTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

using testing::make_linear;

// Central differences of sum(layer(x) * r) in every parameter of `layer`, against backward();
// gradcheck cannot do this part, since the parameters live inside the layer.
void expect_parameter_gradients_match(Module& layer, const Tensor& x) {
  constexpr std::uint64_t kSeed = 77;
  manual_seed(kSeed);
  const Tensor first = layer(x);
  const Tensor r = testing::random_uniform(first.shape(), -1.0f, 1.0f, 5);
  layer.zero_grad();
  sum(mul(first, r)).backward();
  auto objective = [&] {
    NoGradGuard no_grad;
    manual_seed(kSeed);
    return static_cast<double>(sum(mul(layer(x), r)).item());
  };
  for (auto& [name, param] : layer.named_parameters()) {
    const Tensor analytic = param.grad();
    ASSERT_TRUE(analytic.defined()) << name;
    for (std::int64_t k = 0; k < param.numel(); ++k) {
      float& value = param.ptr()[k];
      const float saved = value;
      value = saved + 1e-2f;
      const double plus = objective();
      value = saved - 1e-2f;
      const double minus = objective();
      value = saved;
      const double numeric = (plus - minus) / 2e-2;
      const double a = analytic.ptr()[k];
      EXPECT_NEAR(a, numeric, 1e-3 * std::max({1.0, std::abs(a), std::abs(numeric)}))
          << name << " element " << k;
    }
  }
}

TEST_F(DropConnectTest, MeanOverManyForwardsEqualsTheEvalOutput) {
  DropConnect layer(make_linear(8, 3), 0.5);
  const Tensor x = testing::random_uniform({2, 8}, -1.0f, 1.0f, 1);
  layer.eval();
  const Tensor expected = layer(x);
  layer.train();
  const int draws = 4000;
  Tensor total = Tensor::zeros(expected.shape());
  for (int t = 0; t < draws; ++t) {
    layer.set_noise_clock(NoiseClock{0, t, 0});
    total = add(total, layer(x));
  }
  const Tensor average = div(total, static_cast<float>(draws));
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    EXPECT_NEAR(average.ptr()[i], expected.ptr()[i], 0.02) << "output " << i;
  }
}

TEST_F(DropConnectTest, EvalRunsThePlainLayerDeterministically) {
  auto linear = make_linear(4, 3);
  DropConnect layer(linear, 0.5);
  layer.eval();
  const Tensor x = testing::random_uniform({5, 4}, -1.0f, 1.0f, 2);
  const std::uint64_t position = default_generator().position();
  const Tensor y = layer(x);
  EXPECT_EQ(y.to_vector(), (*linear)(x).to_vector());
  EXPECT_EQ(layer(x).to_vector(), y.to_vector());
  EXPECT_EQ(default_generator().position(), position);
}

TEST_F(DropConnectTest, OneMaskIsSharedByTheWholeBatch) {
  DropConnect layer(make_linear(6, 4), 0.5);
  const Tensor row = testing::random_uniform({1, 6}, -1.0f, 1.0f, 3);
  const Tensor batch = broadcast_to(row, {3, 6});
  const Tensor y = layer(batch);
  for (std::int64_t j = 0; j < 4; ++j) {
    EXPECT_EQ(y.ptr()[j], y.ptr()[4 + j]);
    EXPECT_EQ(y.ptr()[j], y.ptr()[8 + j]);
  }
}

TEST_F(DropConnectTest, MasksFollowTheNoiseClock) {
  DropConnect layer(make_linear(16, 8), 0.5);
  testing::expect_noise_follows_clock(layer, testing::random_uniform({2, 16}, -1.0f, 1.0f, 4));
}

TEST_F(DropConnectTest, McSamplingKeepsTheMasksOnInEval) {
  DropConnect layer(make_linear(16, 8), 0.5);
  const Tensor x = testing::random_uniform({2, 16}, -1.0f, 1.0f, 4);
  layer.eval();
  const Tensor plain = layer(x);
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), plain.to_vector());
}

TEST_F(DropConnectTest, ZeroKeepsTheLayerAndOneLeavesOnlyTheBias) {
  auto linear = make_linear(4, 3);
  const Tensor x = testing::random_uniform({2, 4}, -1.0f, 1.0f, 5);
  EXPECT_EQ(DropConnect(linear, 0.0)(x).to_vector(), (*linear)(x).to_vector());
  const Tensor y = DropConnect(linear, 1.0)(x);
  for (std::int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y.ptr()[i], linear->bias().ptr()[i % 3]);
}

TEST_F(DropConnectTest, MasksTheLayersPerturbedWeight) {
  auto linear = make_linear(4, 3);
  // A perturbation that zeroes the weight: whatever the mask keeps, only the bias is left.
  linear->set_weight_perturbation(
      [](const Tensor& w, const RandomStream&) { return mul(w, Tensor::scalar(0.0f)); });
  DropConnect layer(linear, 0.5);
  const Tensor x = testing::random_uniform({2, 4}, -1.0f, 1.0f, 9);
  const Tensor y = layer(x);
  for (std::int64_t i = 0; i < y.numel(); ++i) EXPECT_EQ(y.ptr()[i], linear->bias().ptr()[i % 3]);
  layer.eval();
  EXPECT_EQ(layer(x).to_vector(), linear->forward_with(x, linear->weight()).to_vector());
}

TEST_F(DropConnectTest, LinearGradientsMatchFiniteDifferences) {
  DropConnect layer(make_linear(4, 3), 0.5);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({2, 4}, -1.0f, 1.0f, 6)}));
  expect_parameter_gradients_match(layer, testing::random_uniform({2, 4}, -1.0f, 1.0f, 7));
}

TEST_F(DropConnectTest, Conv2dGradientsMatchFiniteDifferences) {
  Conv2dOptions options;
  options.in = 2;
  options.out = 2;
  options.kernel = {2, 2};
  DropConnect layer(std::make_shared<Conv2d>(options), 0.4);
  const Tensor x = testing::random_uniform({1, 2, 3, 3}, -1.0f, 1.0f, 8);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); }, {x}));
  expect_parameter_gradients_match(layer, x);
}

TEST_F(DropConnectTest, WrapsOnlyLayersWithAWeight) {
  EXPECT_THROW(DropConnect(std::make_shared<ReLU>(), 0.5), ConfigError);
  EXPECT_THROW(DropConnect(make_linear(2, 2), 1.5), ConfigError);
  const nlohmann::json spec = {{"type", "dropconnect"}, {"layer", {{"type", "relu"}}}};
  try {
    LayerRegistry::instance().create(LayerContext{spec, "model.layers[4]", {8}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[4].layer"), std::string::npos) << e.what();
  }
}

TEST_F(DropConnectTest, BuildsFromJsonAndRoundTrips) {
  const nlohmann::json spec = {
      {"type", "dropconnect"}, {"p", 0.3}, {"layer", {{"type", "linear"}, {"out", 5}}}};
  auto layer = LayerRegistry::instance().create(LayerContext{spec, "model.layers[0]", {7}});
  const nlohmann::json full = layer->to_json();
  EXPECT_EQ(full["p"], 0.3);
  EXPECT_EQ(full["layer"]["in"], 7);
  EXPECT_EQ(full["layer"]["out"], 5);
  const auto names = layer->named_parameters();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].first, "layer.weight");
  EXPECT_EQ(names[1].first, "layer.bias");
  EXPECT_EQ(LayerRegistry::instance().create(LayerContext{full, "m", {7}})->to_json(), full);
  const nlohmann::json nested_typo = {{"type", "dropconnect"},
                                      {"layer", {{"type", "linear"}, {"outs", 5}}}};
  try {
    LayerRegistry::instance().create(LayerContext{nested_typo, "model.layers[0]", {7}});
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.layers[0].layer.outs"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dither
