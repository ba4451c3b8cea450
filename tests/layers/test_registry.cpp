#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/activations.h"
#include "layers/linear.h"
#include "layers/registry.h"

namespace dither {
namespace {

using testing::config_error;

struct MinimalSpec {
  nlohmann::json spec;
  Shape input;
  Shape output;
};

// Every type register_basic_layers() adds, with the least JSON it needs.
std::vector<MinimalSpec> basic_specs() {
  return {
      {{{"type", "linear"}, {"out", 3}}, {5}, {3}},
      {{{"type", "flatten"}}, {2, 3}, {6}},
      {{{"type", "embedding"}, {"num_embeddings", 4}, {"dim", 2}}, {3}, {3, 2}},
      {{{"type", "lstm"}, {"hidden", 2}}, {3, 4}, {2}},
      {{{"type", "relu"}}, {4}, {4}},
      {{{"type", "leaky_relu"}}, {4}, {4}},
      {{{"type", "gelu"}}, {4}, {4}},
      {{{"type", "tanh"}}, {4}, {4}},
      {{{"type", "sigmoid"}}, {4}, {4}},
      {{{"type", "elu"}}, {4}, {4}},
      {{{"type", "selu"}}, {4}, {4}},
      {{{"type", "softmax"}}, {4}, {4}},
      {{{"type", "residual"}, {"layers", {{{"type", "relu"}}}}}, {4}, {4}},
      {{{"type", "sequential"}, {"layers", {{{"type", "linear"}, {"out", 2}}}}}, {4}, {2}},
  };
}

TEST(RegistryTest, EveryBasicTypeBuildsFromMinimalJsonAndRoundTrips) {
  const auto types = LayerRegistry::instance().types();
  for (const MinimalSpec& c : basic_specs()) {
    const std::string type = c.spec["type"];
    SCOPED_TRACE(type);
    EXPECT_NE(std::find(types.begin(), types.end(), type), types.end());
    auto layer = testing::build_layer(c.spec, c.input);
    EXPECT_EQ(layer->type_name(), type);
    EXPECT_EQ(infer_output_shape(*layer, c.input), c.output);
    const nlohmann::json full = layer->to_json();
    EXPECT_EQ(full["type"], type);
    EXPECT_EQ(testing::build_layer(full, c.input)->to_json(), full);
  }
}

TEST(RegistryTest, UnknownTypeNamesThePathSuggestsAndLists) {
  const nlohmann::json spec = {{"layers",
                                {{{"type", "flatten"}},
                                 {{"type", "linear"}, {"out", 8}},
                                 {{"type", "relu"}},
                                 {{"type", "lniear"}, {"out", 2}}}}};
  const std::string message = config_error([&] { build_model(spec, {2, 2}); });
  EXPECT_EQ(message.rfind("model.layers[3].type: unknown layer type 'lniear' (did you mean "
                          "'linear'?); known: ",
                          0),
            0u)
      << message;
  for (const auto& type : LayerRegistry::instance().types()) {
    EXPECT_NE(message.find(type), std::string::npos) << type;
  }
}

TEST(RegistryTest, MissingOrMalformedTypeNamesThePath) {
  EXPECT_EQ(config_error([] {
              build_model({{"layers", {{{"out", 2}}}}}, {2});
            }),
            "model.layers[0].type: is required");
  EXPECT_EQ(config_error([] {
              build_model({{"layers", {{{"type", 3}}}}}, {2});
            }),
            "model.layers[0].type: must be a string, got 3");
  EXPECT_EQ(config_error([] {
              build_model({{"layers", {"relu"}}}, {2});
            }),
            "model.layers[0]: must be an object, got \"relu\"");
}

TEST(RegistryTest, MissingRequiredKeyAndOutOfRangeValueNameThePath) {
  const nlohmann::json missing = {
      {"layers", {{{"type", "flatten"}}, {{"type", "relu"}}, {{"type", "linear"}}}}};
  EXPECT_EQ(config_error([&] { build_model(missing, {2}); }), "model.layers[2].out: is required");
  const nlohmann::json negative = {{"layers", {{{"type", "linear"}, {"out", -4}}}}};
  EXPECT_EQ(config_error([&] { build_model(negative, {2}); }),
            "model.layers[0].out: must be an integer in [1, 1048576], got -4");
}

TEST(RegistryTest, RegisteringANameTwiceThrows) {
  LayerRegistry registry;
  registry.add("thing", [](const LayerContext&) { return std::make_shared<ReLU>(); });
  EXPECT_THROW(registry.add("thing", [](const LayerContext&) { return std::make_shared<ReLU>(); }),
               Error);
  LayerRegistry builtins;
  register_basic_layers(builtins);
  EXPECT_THROW(register_basic_layers(builtins), Error);
  EXPECT_THROW(registry.add("empty", LayerFactory()), Error);
}

TEST(RegistryTest, ShapesFlowThroughFlattenIntoLinear) {
  const nlohmann::json spec = {{"layers",
                                {{{"type", "flatten"}},
                                 {{"type", "linear"}, {"out", 16}},
                                 {{"type", "relu"}},
                                 {{"type", "linear"}, {"out", 10}}}}};
  auto model = build_model(spec, {1, 28, 28});
  const auto params = model->named_parameters();
  EXPECT_EQ(params[0].first, "1.weight");
  EXPECT_EQ(params[0].second.shape(), (Shape{16, 784}));
  EXPECT_EQ(params[2].second.shape(), (Shape{10, 16}));
  EXPECT_EQ(infer_output_shape(*model, {1, 28, 28}), (Shape{10}));
  EXPECT_EQ((*model)(Tensor::zeros({3, 1, 28, 28})).shape(), (Shape{3, 10}));
}

TEST(RegistryTest, BuildModelIsStrictAboutItsOwnKeys) {
  const std::string typo = config_error([] {
    build_model({{"layer", nlohmann::json::array()}}, {2});
  });
  EXPECT_EQ(typo.rfind("model.layer: unknown key (did you mean 'layers'?)", 0), 0u) << typo;
  EXPECT_EQ(config_error([] { build_model(nlohmann::json::object(), {2}); }),
            "model.layers: is required");
  EXPECT_EQ(config_error([] {
              build_model({{"layers", {{"type", "relu"}}}}, {2});
            }),
            "model.layers: must be a non-empty list of layers, got object");
  const std::string type = config_error([] {
    build_model({{"type", "graph"}, {"layers", {{{"type", "relu"}}}}}, {2});
  });
  EXPECT_EQ(type.rfind("model.type: unknown value 'graph'", 0), 0u) << type;
  EXPECT_EQ(config_error([] {
              build_model({{"layers", {{{"type", "relu"}}}}}, {0, 3});
            }),
            "model: the input shape [0,3] has an empty axis; every size must be >= 1");
}

TEST(RegistryTest, ModelJsonRoundTripsToTheSameStructure) {
  const nlohmann::json spec = {{"layers",
                                {{{"type", "flatten"}},
                                 {{"type", "linear"}, {"out", 6}, {"init", "xavier_uniform"}},
                                 {{"type", "leaky_relu"}, {"slope", 0.1}},
                                 {{"type", "linear"}, {"out", 2}, {"bias", false}}}}};
  auto model = build_model(spec, {2, 3}, "config.model");
  const nlohmann::json full = model->to_json();
  auto again = build_model(full, {2, 3});
  EXPECT_EQ(again->to_json(), full);
  const auto a = model->named_parameters();
  const auto b = again->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second.shape(), b[i].second.shape());
  }
}

TEST(RegistryTest, SameSeedBuildsBitwiseTheSameWeights) {
  const nlohmann::json spec = {
      {"layers",
       {{{"type", "linear"}, {"out", 5}}, {{"type", "tanh"}}, {{"type", "linear"}, {"out", 2}}}}};
  const NamedTensors a = build_model(spec, {4}, "model", 9)->state_dict();
  manual_seed(123);  // neither the hand-construction generator nor other builds matter
  build_model(spec, {4}, "model", 9);
  const NamedTensors b = build_model(spec, {4}, "model", 9)->state_dict();
  const NamedTensors c = build_model(spec, {4}, "model", 10)->state_dict();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].second.to_vector(), b[i].second.to_vector());
  EXPECT_NE(a[0].second.to_vector(), c[0].second.to_vector());
  // Each layer draws from its own place: the two linear layers' weights are unrelated.
  EXPECT_NE(a[0].second.to_vector()[0], a[2].second.to_vector()[0]);
}

TEST(RegistryTest, ALayersWeightsDependOnItsPlaceNotOnTheLayersBeforeIt) {
  const nlohmann::json narrow = {
      {"layers", {{{"type", "linear"}, {"out", 4}}, {{"type", "linear"}, {"out", 2}}}}};
  nlohmann::json other = narrow;
  other["layers"][0]["bias"] = false;  // the first layer draws one tensor fewer
  const NamedTensors a = build_model(narrow, {4}, "model", 3)->state_dict();
  const NamedTensors b = build_model(other, {4}, "model", 3)->state_dict();
  EXPECT_EQ(a[2].second.to_vector(), b[1].second.to_vector());  // layers[1].weight
}

TEST(RegistryTest, NamesEveryLayerForItsNoiseStreams) {
  const nlohmann::json spec = {
      {"layers",
       {{{"type", "linear"}, {"out", 4}},
        {{"type", "residual"}, {"layers", {{{"type", "dropout"}, {"p", 0.1}}}}}}}};
  auto model = build_model(spec, {4});
  EXPECT_EQ(model->path(), "model");
  EXPECT_EQ(model->children()[0].second->path(), "model.0");
  EXPECT_EQ(model->children()[1].second->children()[0].second->path(), "model.1.0");
}

// Remembers how often forward() ran in training mode; returns its input.
class ModeSpy : public Module {
 public:
  Tensor forward(const Tensor& x) override {
    if (is_training()) ++training_calls;
    if (mc_sampling()) ++mc_calls;
    return x;
  }
  std::string type_name() const override { return "spy"; }
  int training_calls = 0;
  int mc_calls = 0;
};

TEST(RegistryTest, InferOutputShapeLeavesModesAsTheyWere) {
  auto outer = std::make_shared<ModeSpy>();
  auto inner = std::make_shared<ModeSpy>();
  Sequential model({outer, inner});
  inner->eval();
  inner->set_mc_sampling(true);
  EXPECT_EQ(infer_output_shape(model, {3}), (Shape{3}));
  EXPECT_EQ(outer->training_calls + inner->training_calls + inner->mc_calls, 0);
  EXPECT_TRUE(model.is_training());
  EXPECT_TRUE(outer->is_training());
  EXPECT_FALSE(inner->is_training());
  EXPECT_TRUE(inner->mc_sampling());
  EXPECT_FALSE(outer->mc_sampling());
}

// Accepts only [N, 3, k] inputs: a layer whose shape check fires while the model is built.
class NeedsThreeChannels : public Module {
 public:
  Tensor forward(const Tensor& x) override {
    check_shape(x.dim() == 3 && x.size(1) == 3, "three: input ", to_string(x.shape()),
                " is not [N, 3, k]");
    return x;
  }
  std::string type_name() const override { return "test_three_channels"; }
};

TEST(RegistryTest, ShapeErrorWhileBuildingNamesTheLayerAndShape) {
  LayerRegistry& registry = LayerRegistry::instance();
  const auto types = registry.types();
  if (std::find(types.begin(), types.end(), "test_three_channels") == types.end()) {
    registry.add("test_three_channels",
                 [](const LayerContext&) { return std::make_shared<NeedsThreeChannels>(); });
  }
  const nlohmann::json spec = {{"layers", {{{"type", "relu"}}, {{"type", "test_three_channels"}}}}};
  EXPECT_NO_THROW(build_model(spec, {3, 5}));
  EXPECT_EQ(config_error([&] {
              build_model(spec, {2, 5});
            }),
            "model.layers[1]: cannot take the per-sample input [2,5]: three: input [1,2,5] is not "
            "[N, 3, k]");
}

}  // namespace
}  // namespace dither
