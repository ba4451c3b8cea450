#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// x's storage under `shape`, with no history and no copy. The building block of reshape and of
/// backward rules that only relabel a gradient's shape. Requires numel(shape) == x.numel().
Tensor detached_view(const Tensor& x, Shape shape);

/// Row-major strides (in elements) of a contiguous tensor of `shape`.
std::vector<std::int64_t> contiguous_strides(const Shape& shape);

/// The same values under `shape` (one entry may be -1: inferred), sharing x's storage.
Tensor reshape(const Tensor& x, const Shape& shape);
/// Merges axes start_axis..last into one: [N, C, H, W] -> [N, C*H*W] for start_axis 1. No copy.
Tensor flatten(const Tensor& x, std::int64_t start_axis = 1);
/// Inserts a size-1 axis at `axis` (in [-rank-1, rank]). No copy.
Tensor unsqueeze(const Tensor& x, std::int64_t axis);
/// Removes `axis`, which must have size 1 (throws otherwise). No copy.
Tensor squeeze(const Tensor& x, std::int64_t axis);
/// Removes every size-1 axis. No copy.
Tensor squeeze(const Tensor& x);

/// Axes a0 and a1 swapped; the result is a contiguous copy.
Tensor transpose(const Tensor& x, std::int64_t a0, std::int64_t a1);
/// out axis i is x's axis axes[i]; axes is a permutation of 0..rank-1 (negatives allowed).
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& axes);

/// Joins tensors along `axis`; all other sizes must agree. Gradient: the matching slices.
Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis);
/// `length` entries of `axis` starting at `start` (negative start counts from the end).
Tensor narrow(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t length);
/// Entries [start, end) of `axis`, Python-style: negatives count from the end, clipped to the axis.
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t end);
/// Constant padding as torch.nn.functional.pad: pads = {before, after} for the last axis, then
/// for the one before it, and so on (at most 2 * rank entries). Negative pads crop.
Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, float value = 0.0f);

}  // namespace dither
