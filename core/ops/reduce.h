#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace dither {

using Axes = std::vector<std::int64_t>;

/// Sum of every element -> shape {}.
Tensor sum(const Tensor& x);
/// Sum over `axes` (negative counts from the end); keepdim keeps them as size 1.
Tensor sum(const Tensor& x, const Axes& axes, bool keepdim = false);
/// Mean of every element -> shape {}.
Tensor mean(const Tensor& x);
/// Mean over `axes`.
Tensor mean(const Tensor& x, const Axes& axes, bool keepdim = false);

/// x repeated along broadcast axes to `shape` (NumPy rules); backward sums back.
Tensor broadcast_to(const Tensor& x, const Shape& shape);

/// Sorted, deduplicated, non-negative axes; throws ShapeError naming `op` for a bad axis.
Axes normalize_axes(const Axes& axes, std::size_t rank, const char* op);
/// `shape` with each of `axes` set to 1 (keepdim) or removed.
Shape reduced_shape(const Shape& shape, const Axes& axes, bool keepdim);

}  // namespace dither
