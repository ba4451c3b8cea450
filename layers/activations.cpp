#include "layers/activations.h"

#include <nlohmann/json.hpp>

#include "core/ops/activation.h"
#include "core/ops/softmax.h"

namespace dither {

ReLU::ReLU() : Activation("relu", [](const Tensor& x) { return relu(x); }) {}

LeakyReLU::LeakyReLU(double slope)
    : Activation("leaky_relu",
                 [slope](const Tensor& x) { return leaky_relu(x, static_cast<float>(slope)); }),
      slope_(slope) {}

nlohmann::json LeakyReLU::to_json() const { return {{"type", type_name()}, {"slope", slope_}}; }

GELU::GELU() : Activation("gelu", [](const Tensor& x) { return gelu(x); }) {}

Tanh::Tanh() : Activation("tanh", [](const Tensor& x) { return tanh(x); }) {}

Sigmoid::Sigmoid() : Activation("sigmoid", [](const Tensor& x) { return sigmoid(x); }) {}

ELU::ELU(double alpha)
    : Activation("elu", [alpha](const Tensor& x) { return elu(x, static_cast<float>(alpha)); }),
      alpha_(alpha) {}

nlohmann::json ELU::to_json() const { return {{"type", type_name()}, {"alpha", alpha_}}; }

SELU::SELU() : Activation("selu", [](const Tensor& x) { return selu(x); }) {}

Softmax::Softmax(std::int64_t axis)
    : Activation("softmax", [axis](const Tensor& x) { return softmax(x, axis); }), axis_(axis) {}

nlohmann::json Softmax::to_json() const { return {{"type", type_name()}, {"axis", axis_}}; }

}  // namespace dither
