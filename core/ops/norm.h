#pragma once

#include "core/tensor.h"

namespace dither {

/// Batch normalisation over axis 1 (fused), as PyTorch's batch_norm.
/// x: [N,C] or [N,C,...]; gamma, beta, running_mean, running_var: [C] or undefined (no affine;
/// no running statistics). y = (x - mean_c) / sqrt(var_c + eps) * gamma_c + beta_c.
/// training: mean and biased var over every axis but 1; running_mean and running_var (when
/// defined) are updated in place as r = (1 - momentum) r + momentum s, with the unbiased variance
/// for running_var (the handles are taken by value: they share the caller's storage). Otherwise
/// the running statistics normalise and must be defined.
/// Gradients flow to x, gamma and beta; the statistics of a training batch are part of the graph.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean,
                  Tensor running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);

/// Layer normalisation over the trailing axes `normalized_shape` of x (fused), as PyTorch's.
/// x: [..., *normalized_shape]; gamma, beta: normalized_shape or undefined.
/// y = (x - mean) / sqrt(var + eps) * gamma + beta with mean and biased var over those axes.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& gamma,
                  const Tensor& beta, float eps = 1e-5f);

}  // namespace dither
