#include "core/ops/activation.h"

#include <cmath>

#include "core/error.h"
#include "core/ops/unary.h"

namespace dither {
namespace {

constexpr float kSeluScale = 1.0507009873554804934193349852946f;
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

float stable_sigmoid(float v) {
  // exp of a non-positive argument only: no overflow for large |v|.
  if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
  const float e = std::exp(v);
  return e / (1.0f + e);
}

}  // namespace

Tensor relu(const Tensor& x) {
  return pointwise(
      "relu", x, [](float v) { return v > 0.0f ? v : 0.0f; },
      [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });
}

Tensor leaky_relu(const Tensor& x, float slope) {
  return pointwise(
      "leaky_relu", x, [slope](float v) { return v > 0.0f ? v : slope * v; },
      [slope](float v, float) { return v > 0.0f ? 1.0f : slope; });
}

Tensor sigmoid(const Tensor& x) {
  return pointwise("sigmoid", x, stable_sigmoid, [](float, float y) { return y * (1.0f - y); });
}

Tensor tanh(const Tensor& x) {
  return pointwise(
      "tanh", x, [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

Tensor gelu(const Tensor& x) {
  return pointwise(
      "gelu", x, [](float v) { return 0.5f * v * (1.0f + std::erf(v * kInvSqrt2)); },
      [](float v, float) {
        const float cdf = 0.5f * (1.0f + std::erf(v * kInvSqrt2));
        return cdf + v * kInvSqrt2Pi * std::exp(-0.5f * v * v);
      });
}

Tensor elu(const Tensor& x, float alpha) {
  return pointwise(
      "elu", x, [alpha](float v) { return v > 0.0f ? v : alpha * std::expm1(v); },
      [alpha](float v, float) { return v > 0.0f ? 1.0f : alpha * std::exp(v); });
}

Tensor selu(const Tensor& x) {
  return pointwise(
      "selu", x, [](float v) { return kSeluScale * (v > 0.0f ? v : kSeluAlpha * std::expm1(v)); },
      [](float v, float) { return kSeluScale * (v > 0.0f ? 1.0f : kSeluAlpha * std::exp(v)); });
}

Tensor softplus(const Tensor& x, float beta, float threshold) {
  check(beta != 0.0f, "softplus: beta must be nonzero");
  return pointwise(
      "softplus", x,
      [beta, threshold](float v) {
        const float bv = beta * v;
        return bv > threshold ? v : std::log1p(std::exp(bv)) / beta;
      },
      [beta, threshold](float v, float) {
        const float bv = beta * v;
        return bv > threshold ? 1.0f : stable_sigmoid(bv);
      });
}

}  // namespace dither
