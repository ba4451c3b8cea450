#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace dither {

// Index tensors are float tensors holding integer values (class ids, token ids). A value that is
// not an integer or lies outside the valid range throws ShapeError naming it and the range.

/// Entries of x at `indices` along `axis`: x [..., n, ...], indices [k] -> [..., k, ...].
/// Indices may repeat; the backward adds their gradients up (deterministically).
Tensor index_select(const Tensor& x, std::int64_t axis, const Tensor& indices);
/// out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (likewise for any axis), as torch.gather:
/// index has x's rank, index.size(d) <= x.size(d) for d != axis; out has index's shape.
Tensor gather(const Tensor& x, std::int64_t axis, const Tensor& index);
/// indices [...] -> [..., num_classes] with a 1 at each index and 0 elsewhere; no gradient.
Tensor one_hot(const Tensor& indices, std::int64_t num_classes);
/// Rows of weight [V, D] picked by indices [...] -> [..., D]; gradient to weight only, with
/// repeated ids summed in a fixed order.
Tensor embedding(const Tensor& weight, const Tensor& indices);

}  // namespace dither
