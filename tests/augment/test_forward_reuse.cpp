#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "augment/forward_reuse.h"
#include "layers/registry.h"
#include "layers/sequential.h"
#include "layers/weight_layer.h"

namespace dither {
namespace {

std::shared_ptr<Sequential> model_of(const nlohmann::json& layers, const Shape& input = {5}) {
  return build_model({{"layers", layers}}, input, "model", 3);
}

TEST(ForwardReuseTest, ModeFreeLayersServeEveryMode) {
  const auto mlp = model_of(nlohmann::json::parse(R"([{"type": "linear", "out": 8},
      {"type": "relu"}, {"type": "residual", "layers": [{"type": "linear", "out": 8},
      {"type": "tanh"}]}, {"type": "layer_norm"}, {"type": "linear", "out": 3}])"));
  const auto cnn = model_of(nlohmann::json::parse(R"([{"type": "conv2d", "out": 2, "kernel": 3},
      {"type": "relu"}, {"type": "max_pool2d", "kernel": 2}, {"type": "flatten"},
      {"type": "linear", "out": 3}])"),
                            {1, 6, 6});
  for (PassMode mode : {PassMode::eval, PassMode::train, PassMode::mc}) {
    EXPECT_TRUE(training_forward_serves(*mlp, mode)) << to_string(mode);
    EXPECT_TRUE(training_forward_serves(*cnn, mode)) << to_string(mode);
  }
}

TEST(ForwardReuseTest, BatchNormServesOnlyATrainModePass) {
  const auto bn = model_of(nlohmann::json::parse(R"([{"type": "linear", "out": 8},
      {"type": "batch_norm1d"}, {"type": "relu"}, {"type": "linear", "out": 3}])"));
  EXPECT_TRUE(training_forward_serves(*bn, PassMode::train));
  EXPECT_FALSE(training_forward_serves(*bn, PassMode::eval));
  EXPECT_FALSE(training_forward_serves(*bn, PassMode::mc));
}

TEST(ForwardReuseTest, NoiseLayersInsideContainersNeverServe) {
  for (const nlohmann::json& noise : {nlohmann::json{{"type", "dropout"}, {"p", 0.2}},
                                      nlohmann::json{{"type", "gaussian_noise"}, {"sigma", 0.1}},
                                      nlohmann::json{{"type", "alpha_dropout"}, {"p", 0.2}}}) {
    const auto model = model_of({{{"type", "linear"}, {"out", 8}},
                                 {{"type", "residual"}, {"layers", nlohmann::json::array({noise})}},
                                 {{"type", "linear"}, {"out", 3}}});
    for (PassMode mode : {PassMode::eval, PassMode::train, PassMode::mc}) {
      EXPECT_FALSE(training_forward_serves(*model, mode)) << noise.dump() << " " << to_string(mode);
    }
  }
}

TEST(ForwardReuseTest, WeightPerturbationAndHiddenTransformStopTheReuse) {
  const auto model = model_of(nlohmann::json::parse(R"([{"type": "linear", "out": 8},
      {"type": "relu"}, {"type": "linear", "out": 3}])"));
  auto& first = dynamic_cast<WeightLayer&>(*model->children()[0].second);
  first.set_weight_perturbation([](const Tensor& w, const RandomStream&) { return w; });
  EXPECT_FALSE(training_forward_serves(*model, PassMode::train));
  first.set_weight_perturbation({});
  EXPECT_TRUE(training_forward_serves(*model, PassMode::train));
  {
    const HiddenTransformGuard mix(*model, 1, [](const Tensor& h) { return h; });
    EXPECT_FALSE(training_forward_serves(*model, PassMode::train));
  }
  EXPECT_TRUE(training_forward_serves(*model, PassMode::train));
}

}  // namespace
}  // namespace dither
