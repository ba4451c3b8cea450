#include "layers/weight_layer.h"

#include "core/error.h"
#include "core/ops/activation.h"

namespace dither {

Tensor WeightLayer::forward_relu(const Tensor& x) { return relu(forward(x)); }

Tensor WeightLayer::forward_weight() const {
  if (!perturbation_ || !noise_active()) return weight_;
  const Tensor weight = perturbation_(weight_, noise_stream("weight_noise"));
  check_shape(weight.shape() == weight_.shape(), type_name(), ": the weight perturbation gave ",
              weight.shape(), " for weight ", weight_.shape());
  return weight;
}

void WeightLayer::set_weight_perturbation(WeightPerturbation perturbation) {
  perturbation_ = std::move(perturbation);
}

void WeightLayer::register_weight_and_bias(Tensor weight, Tensor bias) {
  weight_ = register_parameter("weight", std::move(weight));
  if (bias.defined()) bias_ = register_parameter("bias", std::move(bias));
}

}  // namespace dither
