// Layers and losses against PyTorch 1.13: forward values, the gradients of sum(output * R) with
// respect to the input and every parameter, and BatchNorm's running statistics, from the
// fixtures of tests/parity (see tests/support/parity.h for the tolerance).

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "layer_testing.h"
#include "layers/loss.h"
#include "support/parity.h"

namespace dither {
namespace {

using nlohmann::json;
using testing::expect_fixtures_listed;
using testing::expect_graph_matches;
using testing::fixture_inputs;
using testing::fixture_tensor;
using testing::FixtureName;
using testing::load_parity_fixture;
using testing::matches_reference;

const std::vector<std::string> kLayers{
    "linear",
    "linear_3d_no_bias",
    "conv1d",
    "conv2d",
    "conv2d_stride_dilation",
    "conv2d_no_bias_stride2",
    "max_pool2d",
    "max_pool2d_default_stride",
    "avg_pool2d",
    "avg_pool2d_exclude_pad",
    "global_avg_pool",
    "batch_norm1d_train",
    "batch_norm1d_train_3d",
    "batch_norm1d_eval",
    "batch_norm2d_train",
    "batch_norm2d_eval",
    "layer_norm",
    "layer_norm_two_axes",
    "embedding",
    "lstm",
    "lstm_sequences",
    "relu",
    "leaky_relu",
    "gelu",
    "elu",
    "selu",
    "sigmoid",
    "tanh",
    "softmax",
    "softmax_axis1",
};

const std::vector<std::string> kLosses{
    "cross_entropy",
    "cross_entropy_soft",
    "cross_entropy_smoothing",
    "cross_entropy_soft_smoothing",
    "cross_entropy_weight",
    "cross_entropy_weight_smoothing",
    "cross_entropy_soft_weight",
    "nll",
    "mse",
    "l1",
    "huber",
    "huber_delta",
    "bce_with_logits",
};

// Loads the fixture's parameters and buffers (dither's names) into `layer`, keeping its other
// state. The fixture must name every parameter of the layer and nothing the layer lacks.
void load_fixture_state(Module& layer, const json& fixture) {
  std::set<std::string> given;
  for (const char* group : {"params", "buffers"}) {
    for (const auto& item : fixture.at(group).items()) given.insert(item.key());
  }
  NamedTensors state = layer.state_dict();
  for (auto& [name, value] : state) {
    if (given.erase(name) > 0) {
      const char* group = fixture.at("params").contains(name) ? "params" : "buffers";
      value = fixture_tensor(fixture.at(group).at(name));
    }
  }
  EXPECT_TRUE(given.empty()) << "fixture entries the layer does not have, first: "
                             << (given.empty() ? "" : *given.begin());
  for (const auto& [name, p] : layer.named_parameters()) {
    EXPECT_TRUE(fixture.at("params").contains(name)) << "parameter " << name << " not in fixture";
  }
  layer.load_state_dict(state);
}

class LayerParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LayerParityTest, MatchesPyTorch) {
  const json fixture = load_parity_fixture("layer_" + GetParam());
  SCOPED_TRACE(fixture.at("torch").get<std::string>());
  const NamedTensors inputs = fixture_inputs(fixture);
  ASSERT_EQ(inputs.size(), 1u);
  const Tensor& x = inputs[0].second;
  const Shape per_sample(x.shape().begin() + 1, x.shape().end());
  const auto layer = testing::build_layer(fixture.at("layer"), per_sample);
  load_fixture_state(*layer, fixture);
  layer->train(fixture.at("mode") == "train");

  const Tensor y = layer->forward(x);
  NamedTensors targets;
  if (x.requires_grad()) targets.push_back(inputs[0]);
  for (const auto& named : layer->named_parameters()) targets.push_back(named);
  expect_graph_matches(fixture, y, targets);

  if (fixture.contains("buffers_after")) {
    const NamedTensors buffers = layer->named_buffers();
    ASSERT_EQ(buffers.size(), fixture.at("buffers_after").size());
    for (const auto& [name, value] : buffers) {
      EXPECT_TRUE(matches_reference(value, fixture.at("buffers_after").at(name)))
          << name << " after the training step";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, LayerParityTest, ::testing::ValuesIn(kLayers), FixtureName{});

class LossParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LossParityTest, MatchesPyTorch) {
  const json fixture = load_parity_fixture("loss_" + GetParam());
  SCOPED_TRACE(fixture.at("torch").get<std::string>());
  const Loss loss = make_loss(fixture.at("loss"));
  const NamedTensors inputs = fixture_inputs(fixture);
  ASSERT_EQ(inputs.size(), 2u);
  NamedTensors targets;
  std::copy_if(inputs.begin(), inputs.end(), std::back_inserter(targets),
               [](const auto& named) { return named.second.requires_grad(); });
  expect_graph_matches(fixture, loss(inputs[0].second, inputs[1].second), targets);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, LossParityTest, ::testing::ValuesIn(kLosses), FixtureName{});

TEST(ParityFixturesTest, EveryLayerAndLossFixtureIsTested) {
  expect_fixtures_listed("layer_", kLayers);
  expect_fixtures_listed("loss_", kLosses);
}

}  // namespace
}  // namespace dither
