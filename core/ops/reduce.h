#pragma once

#include <cstdint>
#include <vector>

#include "core/parallel.h"
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

/// Variance over `axes`: sum((x - mean)^2) / (count - correction); correction 1 (the default)
/// is the unbiased estimate, as torch.var. Throws when count - correction <= 0.
Tensor var(const Tensor& x, const Axes& axes, bool keepdim = false, std::int64_t correction = 1);
/// Unbiased variance of every element -> shape {}.
Tensor var(const Tensor& x);

/// Largest entry along `axis`; the gradient goes to the first largest entry (NaN counts as
/// largest, so it propagates).
Tensor max(const Tensor& x, std::int64_t axis, bool keepdim = false);
/// Index of the first largest entry along `axis`, as float values; no gradient.
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim = false);
/// log(sum(exp(x))) along `axis`, computed stably around the maximum; gradient softmax(x).
Tensor logsumexp(const Tensor& x, std::int64_t axis, bool keepdim = false);

/// x repeated along broadcast axes to `shape` (NumPy rules); backward sums back.
Tensor broadcast_to(const Tensor& x, const Shape& shape);

/// Sorted, deduplicated, non-negative axes; throws ShapeError naming `op` for a bad axis.
Axes normalize_axes(const Axes& axes, std::size_t rank, const char* op);
/// `shape` with each of `axes` set to 1 (keepdim) or removed.
Shape reduced_shape(const Shape& shape, const Axes& axes, bool keepdim);

/// A tensor seen as [outer, extent, inner] around one axis. Fiber (o, i) holds the `extent`
/// entries at base(o, i) + k * inner: what every single-axis kernel walks.
struct AxisView {
  std::int64_t outer = 1;
  std::int64_t extent = 1;
  std::int64_t inner = 1;
  std::int64_t fibers() const { return outer * inner; }
  /// Offset of the first entry of fiber f (f = o * inner + i).
  std::int64_t base(std::int64_t f) const { return f / inner * extent * inner + f % inner; }
  /// Fibers per parallel chunk: about kGrainSize entries.
  std::int64_t grain() const;
};
/// The view of `shape` around `axis` (already normalised).
AxisView axis_view(const Shape& shape, std::int64_t axis);

/// fn(f, base(f)) for every fiber of `v`, split across the thread budget with a fixed partition.
template <class Fn>
void for_each_fiber(const AxisView& v, const Fn& fn) {
  parallel_for(
      v.fibers(),
      [&](std::int64_t f0, std::int64_t f1) {
        for (std::int64_t f = f0; f < f1; ++f) fn(f, v.base(f));
      },
      v.grain());
}

/// Detached log-sum-exp over `axis` (normalised), shape kept with that axis as 1: the stable kernel
/// shared by logsumexp, softmax and log_softmax. An all -inf fiber gives -inf, not NaN.
Tensor logsumexp_values(const Tensor& x, std::int64_t axis);

}  // namespace dither
