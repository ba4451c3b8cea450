#pragma once

#include "core/tensor.h"

namespace dither {

/// max(x, 0), element-wise; gradient 0 at x = 0.
Tensor relu(const Tensor& x);
/// x for x > 0, slope * x otherwise.
Tensor leaky_relu(const Tensor& x, float slope = 0.01f);
/// 1 / (1 + e^-x), computed without overflow for large |x|.
Tensor sigmoid(const Tensor& x);
/// Hyperbolic tangent, element-wise.
Tensor tanh(const Tensor& x);
/// x * Phi(x) with the exact Gaussian CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 (PyTorch's default).
Tensor gelu(const Tensor& x);
/// x for x > 0, alpha * (e^x - 1) otherwise.
Tensor elu(const Tensor& x, float alpha = 1.0f);
/// scale * elu(x, alpha) with PyTorch's constants (scale 1.0507..., alpha 1.6732...).
Tensor selu(const Tensor& x);
/// log(1 + e^(beta x)) / beta; x itself where beta x > threshold (as PyTorch, for stability).
Tensor softplus(const Tensor& x, float beta = 1.0f, float threshold = 20.0f);

}  // namespace dither
