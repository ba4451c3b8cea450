#include "augment/forward_reuse.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "layers/batch_norm.h"
#include "layers/sequential.h"
#include "layers/weight_layer.h"

namespace dither {
namespace {

// The layer types whose forward is one function in every mode. A list of the known rather than
// of the exceptions: a layer that is not here keeps the separate pass, which is always right.
constexpr std::array<std::string_view, 21> kModeFree{
    "sequential", "residual",   "linear",          "conv1d",  "conv2d",
    "max_pool2d", "avg_pool2d", "global_avg_pool", "flatten", "layer_norm",
    "embedding",  "lstm",       "mean_over_time",  "relu",    "leaky_relu",
    "gelu",       "tanh",       "sigmoid",         "elu",     "selu",
    "softmax"};

bool serves_itself(const Module& module, PassMode mode) {
  const auto* weighted = dynamic_cast<const WeightLayer*>(&module);
  if (weighted != nullptr && weighted->has_weight_perturbation()) return false;
  const auto* sequential = dynamic_cast<const Sequential*>(&module);
  if (sequential != nullptr && sequential->hidden_transform_position().has_value()) return false;
  if (dynamic_cast<const BatchNorm*>(&module) != nullptr) return mode == PassMode::train;
  const std::string type = module.type_name();
  return std::find(kModeFree.begin(), kModeFree.end(), type) != kModeFree.end();
}

}  // namespace

bool training_forward_serves(const Module& model, PassMode mode) {
  if (!serves_itself(model, mode)) return false;
  return std::all_of(model.children().begin(), model.children().end(), [mode](const auto& child) {
    return training_forward_serves(*child.second, mode);
  });
}

}  // namespace dither
