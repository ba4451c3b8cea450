#pragma once

#include "core/tensor.h"

namespace dither {

/// Matrix product through gemm with transpose flags. a: [m,k], b: [k,n] -> [m,n]; batched:
/// a: [B,m,k] with b: [B,k,n] or [k,n] -> [B,m,n].
Tensor matmul(const Tensor& a, const Tensor& b);

/// y = x Wᵀ + b (fused). x: [..., in], weight: [out, in], bias: [out] or undefined -> [..., out].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

}  // namespace dither
