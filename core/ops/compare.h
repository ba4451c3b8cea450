#pragma once

#include "core/tensor.h"

namespace dither {

/// Element-wise larger of a and b with NumPy broadcasting. The gradient goes to the larger input;
/// on a tie each input gets half of it (as PyTorch does).
Tensor maximum(const Tensor& a, const Tensor& b);
/// Element-wise smaller of a and b; gradient to the smaller, split evenly on a tie.
Tensor minimum(const Tensor& a, const Tensor& b);
/// a where cond is nonzero, b elsewhere; cond, a and b broadcast together (NumPy rules).
/// cond is a float mask and receives no gradient.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

}  // namespace dither
