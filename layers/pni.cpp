#include "layers/pni.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "layers/weight_layer.h"

namespace dither {

Tensor pni_noise(const Tensor& weight, const RandomStream& stream) {
  float std = 0.0f;
  if (weight.numel() > 1) {
    const NoGradGuard no_grad;
    std = std::sqrt(var(weight.detach()).item());
  }
  Tensor noise = Tensor::empty(weight.shape());
  stream.fill_normal(noise.data(), 0.0f, std);
  return noise;
}

Pni::Pni(std::shared_ptr<Module> layer, std::string granularity, double init, bool at_eval)
    : layer_(std::move(layer)),
      granularity_(std::move(granularity)),
      init_(init),
      at_eval_(at_eval) {
  if (layer_ == nullptr) throw ConfigError("pni: needs a layer to wrap");
  weighted_ = std::dynamic_pointer_cast<WeightLayer>(layer_);
  if (weighted_ == nullptr) {
    throw ConfigError("pni: can wrap a linear, conv1d or conv2d layer, got '" +
                      layer_->type_name() + "'");
  }
  if (granularity_ != "layer" && granularity_ != "channel") {
    throw ConfigError("pni: granularity must be \"layer\" or \"channel\", got \"" + granularity_ +
                      "\"");
  }
  if (!(init_ >= 0.0) || !std::isfinite(init_))
    throw ConfigError(str("pni: init must be >= 0, got ", init_));
  Shape shape{1};
  if (granularity_ == "channel") {
    shape = Shape(static_cast<std::size_t>(weighted_->weight().dim()), 1);
    shape[0] = weighted_->weight().size(0);
  }
  a_ = register_parameter("a", Tensor::full(shape, static_cast<float>(init_)));
  register_module("layer", layer_);
}

Tensor Pni::forward(const Tensor& x) {
  if (!noise_active() && !at_eval_) return layer_->forward(x);
  const Tensor weight = weighted_->forward_weight();
  const Tensor noise = pni_noise(weight, noise_stream(type_name()));
  return weighted_->forward_with(x, add(weight, mul(a_, noise)));
}

nlohmann::json Pni::to_json() const {
  return {{"type", type_name()},
          {"granularity", granularity_},
          {"init", init_},
          {"at_eval", at_eval_},
          {"layer", layer_->to_json()}};
}

std::int64_t Pni::flops(const Shape& input) const { return layer_->flops(input); }

std::vector<std::pair<std::string, double>> Pni::report() const {
  double total = 0.0;
  const float* p = a_.ptr();
  for (std::int64_t i = 0; i < a_.numel(); ++i) total += std::abs(p[i]);
  return {{"pni_a", total / static_cast<double>(a_.numel())}};
}

}  // namespace dither
