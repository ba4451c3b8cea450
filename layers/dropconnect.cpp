#include "layers/dropconnect.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/matmul.h"
#include "core/ops/noise.h"
#include "core/random.h"
#include "layers/conv.h"
#include "layers/linear.h"

namespace dither {

DropConnect::DropConnect(std::shared_ptr<Module> layer, double p)
    : layer_(std::move(layer)), p_(check_drop_probability("dropconnect", p)) {
  if (layer_ == nullptr) throw ConfigError("dropconnect: needs a layer to wrap");
  linear_ = std::dynamic_pointer_cast<Linear>(layer_);
  conv_ = std::dynamic_pointer_cast<Convolution>(layer_);
  if (linear_ == nullptr && conv_ == nullptr) {
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
  const Tensor& weight = linear_ ? linear_->weight() : conv_->weight();
  const Tensor masked = dropout(weight, p_, stream, weight.shape());
  return linear_ ? linear(x, masked, linear_->bias()) : conv_->forward_with(x, masked);
}

nlohmann::json DropConnect::to_json() const {
  return {{"type", type_name()}, {"p", p_}, {"layer", layer_->to_json()}};
}

std::int64_t DropConnect::flops(const Shape& input) const { return layer_->flops(input); }

}  // namespace dither
