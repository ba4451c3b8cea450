#include "core/ops/index.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"

namespace dither {
namespace {

using Indices = std::vector<std::int64_t>;

// The integer values of `indices`, each checked to lie in [0, bound); `what` ends the message.
// Serial, so the error always names the first bad index.
Indices checked_indices(const char* op, const Tensor& indices, std::int64_t bound,
                        const std::string& what) {
  Indices out(static_cast<std::size_t>(indices.numel()));
  const float* p = indices.ptr();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float v = p[i];
    check_shape(v == std::floor(v), op, ": index ", v, " is not an integer ", what);
    check_shape(v >= 0.0f && v < static_cast<float>(bound), op, ": index ", v,
                " is outside the valid range [0, ", bound, ") ", what);
    out[i] = static_cast<std::int64_t>(v);
  }
  return out;
}

// out[o, i, :] = x[o, idx[i], :] with x seen as `v` = [outer, extent, inner].
Tensor select_rows(const Tensor& x, const AxisView& v, const Indices& idx, Shape out_shape) {
  Tensor out = Tensor::empty(std::move(out_shape));
  const auto n = static_cast<std::int64_t>(idx.size());
  const float* px = x.ptr();
  float* po = out.ptr();
  parallel_for(
      v.outer * n,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const float* src =
              px + (r / n * v.extent + idx[static_cast<std::size_t>(r % n)]) * v.inner;
          std::copy(src, src + v.inner, po + r * v.inner);
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(v.inner, 1)));
  return out;
}

// The backward of select_rows: gx[o, k, :] = sum over i with idx[i] == k of g[o, i, :]. Each
// destination row is owned by one task and adds its sources in increasing i, so the result does
// not depend on the thread count.
Tensor scatter_rows(const Tensor& g, const AxisView& v, const Indices& idx, const Shape& shape) {
  const auto n = static_cast<std::int64_t>(idx.size());
  std::vector<std::int64_t> start(static_cast<std::size_t>(v.extent) + 1, 0);
  for (std::int64_t k : idx) ++start[static_cast<std::size_t>(k) + 1];
  for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
  std::vector<std::int64_t> sources(idx.size());
  std::vector<std::int64_t> cursor(start.begin(), start.end() - 1);
  for (std::int64_t i = 0; i < n; ++i) {
    sources[static_cast<std::size_t>(cursor[static_cast<std::size_t>(idx[i])]++)] = i;
  }
  Tensor gx = Tensor::empty(shape);
  const float* pg = g.ptr();
  float* pgx = gx.ptr();
  parallel_for(
      v.outer * v.extent,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const std::int64_t o = r / v.extent;
          const auto k = static_cast<std::size_t>(r % v.extent);
          float* dst = pgx + r * v.inner;
          std::fill(dst, dst + v.inner, 0.0f);
          for (std::int64_t s = start[k]; s < start[k + 1]; ++s) {
            const float* src = pg + (o * n + sources[static_cast<std::size_t>(s)]) * v.inner;
            for (std::int64_t j = 0; j < v.inner; ++j) dst[j] += src[j];
          }
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(v.inner, 1)));
  return gx;
}

// select_rows recorded as `op`; index tensors themselves get no gradient.
Tensor selection_op(const char* op, const Tensor& x, std::int64_t axis, Indices idx,
                    Shape out_shape) {
  const AxisView v = axis_view(x.shape(), axis);
  Tensor out = select_rows(x, v, idx, std::move(out_shape));
  // d out[o, i] / d x[o, k] = 1 where idx[i] == k: repeated indices add up
  return record(op, out, {x},
                [idx = std::move(idx), v, shape = x.shape()](const Tensor& g, const NeedsGrad&) {
                  return std::vector<Tensor>{scatter_rows(g, v, idx, shape)};
                });
}

}  // namespace

Tensor index_select(const Tensor& x, std::int64_t axis, const Tensor& indices) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "index_select");
  check_shape(indices.dim() <= 1, "index_select: indices must be 1-D, got ", indices.shape());
  Indices idx =
      checked_indices("index_select", indices, x.size(a), str("for axis ", a, " of ", x.shape()));
  Shape shape = x.shape();
  shape[static_cast<std::size_t>(a)] = static_cast<std::int64_t>(idx.size());
  return selection_op("index_select", x, a, std::move(idx), std::move(shape));
}

Tensor embedding(const Tensor& weight, const Tensor& indices) {
  check_shape(weight.dim() == 2, "embedding: weight must be [V, D], got ", weight.shape());
  Indices idx =
      checked_indices("embedding", indices, weight.size(0), str("for weight ", weight.shape()));
  Shape shape = indices.shape();
  shape.push_back(weight.size(1));
  return selection_op("embedding", weight, 0, std::move(idx), std::move(shape));
}

Tensor gather(const Tensor& x, std::int64_t axis, const Tensor& index) {
  const Shape& xs = x.shape();
  const Shape& is = index.shape();
  const std::int64_t a = normalize_axis(axis, xs.size(), "gather");
  check_shape(is.size() == xs.size(), "gather: index ", is, " must have the rank of input ", xs);
  for (std::size_t d = 0; d < xs.size(); ++d) {
    check_shape(static_cast<std::int64_t>(d) == a || is[d] <= xs[d], "gather: index ", is,
                " is larger than input ", xs, " along axis ", d);
  }
  const Indices idx = checked_indices("gather", index, xs[static_cast<std::size_t>(a)],
                                      str("for axis ", a, " of ", xs));
  const AxisView v = axis_view(is, a);
  const auto x_stride = contiguous_strides(xs);
  // Offset in x of the entry at axis coordinate 0 of index fiber f (f enumerates index's
  // coordinates without `a`, row-major).
  std::vector<std::int64_t> x_base(static_cast<std::size_t>(v.fibers()));
  parallel_for(v.fibers(), [&](std::int64_t f0, std::int64_t f1) {
    for (std::int64_t f = f0; f < f1; ++f) {
      std::int64_t rest = f;
      std::int64_t offset = 0;
      for (std::size_t d = is.size(); d-- > 0;) {
        if (static_cast<std::int64_t>(d) == a) continue;
        offset += rest % is[d] * x_stride[d];
        rest /= is[d];
      }
      x_base[static_cast<std::size_t>(f)] = offset;
    }
  });
  const std::int64_t step = x_stride[static_cast<std::size_t>(a)];
  // Entry k of fiber f: position in index/out, and source position in x.
  auto walk = [v, step, x_base, idx](auto&& fn) {
    for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
      for (std::int64_t k = 0; k < v.extent; ++k) {
        const std::int64_t i = base + k * v.inner;
        fn(i, x_base[static_cast<std::size_t>(f)] + idx[static_cast<std::size_t>(i)] * step);
      }
    });
  };
  Tensor out = Tensor::empty(is);
  const float* px = x.ptr();
  float* po = out.ptr();
  walk([&](std::int64_t i, std::int64_t src) { po[i] = px[src]; });
  // d out[i] / d x[src(i)] = 1; fibers own disjoint parts of x, so the scatter cannot race
  return record("gather", out, {x}, [walk, shape = xs](const Tensor& g, const NeedsGrad&) {
    Tensor gx = Tensor::zeros(shape);
    const float* pg = g.ptr();
    float* pgx = gx.ptr();
    walk([&](std::int64_t i, std::int64_t src) { pgx[src] += pg[i]; });
    return std::vector<Tensor>{gx};
  });
}

Tensor one_hot(const Tensor& indices, std::int64_t num_classes) {
  check_shape(num_classes >= 1, "one_hot: num_classes must be >= 1, got ", num_classes);
  const Indices idx =
      checked_indices("one_hot", indices, num_classes, str("for ", num_classes, " classes"));
  Shape shape = indices.shape();
  shape.push_back(num_classes);
  Tensor out = Tensor::zeros(shape);
  float* po = out.ptr();
  parallel_for(static_cast<std::int64_t>(idx.size()), [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) {
      po[i * num_classes + idx[static_cast<std::size_t>(i)]] = 1.0f;
    }
  });
  return out;
}

}  // namespace dither
