#pragma once

// The models the speed benchmarks train, shared so every benchmark measures the same ones.

#include <nlohmann/json.hpp>
#include <string>

namespace dither::bench {

/// "mlp": 784-256-128-10; "cnn": conv 32 3x3, max-pool 2, conv 64 3x3, max-pool 2, fc 128,
/// fc 10 (no padding, no BatchNorm), the model of bench/speed_vs_torch.sh.
inline nlohmann::json model_spec(const std::string& model) {
  using nlohmann::json;
  if (model == "mlp") {
    return json::parse(
        R"({"layers": [{"type": "flatten"}, {"type": "linear", "out": 256}, {"type": "relu"},
      {"type": "linear", "out": 128}, {"type": "relu"}, {"type": "linear", "out": 10}]})");
  }
  return json::parse(R"({"layers": [
      {"type": "conv2d", "out": 32, "kernel": 3}, {"type": "relu"}, {"type": "max_pool2d", "kernel": 2},
      {"type": "conv2d", "out": 64, "kernel": 3}, {"type": "relu"}, {"type": "max_pool2d", "kernel": 2},
      {"type": "flatten"}, {"type": "linear", "out": 128}, {"type": "relu"}, {"type": "linear", "out": 10}]})");
}

/// A Fashion-MNIST training config for `model` with the given noise list, SGD with momentum,
/// batch 128, no validation split.
inline nlohmann::json fashion_config(const std::string& model, const nlohmann::json& noise) {
  return {{"seed", 1},
          {"data",
           {{"name", "fashion-mnist"},
            {"path", "/usr/share/datasets/fashion-mnist"},
            {"validation_split", 0.0}}},
          {"model", model_spec(model)},
          {"optimizer", {{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}},
          {"noise", noise},
          {"train", {{"epochs", 1}, {"batch_size", 128}}}};
}

}  // namespace dither::bench
