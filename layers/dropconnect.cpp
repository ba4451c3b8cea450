#include "layers/dropconnect.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/noise.h"
#include "core/random.h"
#include "layers/weight_layer.h"

namespace dither {

DropConnect::DropConnect(std::shared_ptr<Module> layer, double p)
    : layer_(std::move(layer)), p_(check_drop_probability("dropconnect", p)) {
  if (layer_ == nullptr) throw ConfigError("dropconnect: needs a layer to wrap");
  weighted_ = std::dynamic_pointer_cast<WeightLayer>(layer_);
  if (weighted_ == nullptr) {
    throw ConfigError("dropconnect: can wrap a linear, conv1d or conv2d layer, got '" +
                      layer_->type_name() + "'");
  }
  register_module("layer", layer_);
}

Tensor DropConnect::forward(const Tensor& x) {
  if (!noise_active()) return layer_->forward(x);
  const RandomStream stream = noise_stream(type_name());
  if (p_ == 0.0) return layer_->forward(x);
  // One mask per forward, shared by the whole batch: the paper's mask per sample would hold N
  // copies of the weight ([N, out, in]) and turn one gemm into N small ones.
  const Tensor weight = weighted_->forward_weight();
  return weighted_->forward_with(x, dropout(weight, p_, stream, weight.shape()));
}

nlohmann::json DropConnect::to_json() const {
  return {{"type", type_name()}, {"p", p_}, {"layer", layer_->to_json()}};
}

std::int64_t DropConnect::flops(const Shape& input) const { return layer_->flops(input); }

}  // namespace dither
