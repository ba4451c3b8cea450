#include "core/ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/map.h"
#include "core/ops/shape_ops.h"
#include "core/ops/sum_to.h"
#include "core/ops/unary.h"

namespace dither {
namespace {

// Sum of n contiguous floats in double. Eight independent accumulators break the chain of
// dependent adds, which made a single accumulator latency-bound; the order is still fixed.
double contiguous_sum(const float* p, std::int64_t n) {
  double lanes[8] = {};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) lanes[j] += p[i + j];
  }
  double total = 0.0;
  for (double lane : lanes) total += lane;
  for (; i < n; ++i) total += p[i];
  return total;
}

// out[o, i] = sum_k x[o, k, i] for x seen as [outer, extent, inner].
Tensor sum_axis(const Tensor& x, std::int64_t axis) {
  // Plain variables, not structured bindings: clang 14 (the fuzzing build) cannot capture those.
  const AxisView v = axis_view(x.shape(), axis);
  const std::int64_t outer = v.outer, extent = v.extent, inner = v.inner;
  Shape out_shape = x.shape();
  out_shape[static_cast<std::size_t>(axis)] = 1;
  Tensor out = Tensor::zeros(out_shape);
  const float* px = x.ptr();
  float* po = out.ptr();
  if (inner == 1) {
    parallel_for(
        outer,
        [&](std::int64_t o0, std::int64_t o1) {
          for (std::int64_t o = o0; o < o1; ++o) {
            po[o] = static_cast<float>(contiguous_sum(px + o * extent, extent));
          }
        },
        std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(extent, 1)));
    return out;
  }
  // Parallel over (outer, inner block); each output slot sums its k's in order.
  const std::int64_t block = 512;
  const std::int64_t blocks = (inner + block - 1) / block;
  parallel_for(
      outer * blocks,
      [&](std::int64_t t0, std::int64_t t1) {
        for (std::int64_t t = t0; t < t1; ++t) {
          const std::int64_t o = t / blocks;
          const std::int64_t i0 = (t % blocks) * block;
          const std::int64_t i1 = std::min(inner, i0 + block);
          float* dst = po + o * inner;
          for (std::int64_t k = 0; k < extent; ++k) {
            const float* src = px + (o * extent + k) * inner;
            for (std::int64_t i = i0; i < i1; ++i) dst[i] += src[i];
          }
        }
      },
      std::max<std::int64_t>(1, kGrainSize / (block * std::max<std::int64_t>(extent, 1))));
  return out;
}

// Index of the first largest entry of each fiber (NaN counts as largest), keepdim shape.
Tensor argmax_values(const char* op, const Tensor& x, std::int64_t axis) {
  const AxisView v = axis_view(x.shape(), axis);
  check_shape(v.extent > 0, op, ": axis ", axis, " of ", x.shape(), " is empty");
  Tensor out = Tensor::empty(reduced_shape(x.shape(), {axis}, true));
  const float* px = x.ptr();
  float* po = out.ptr();
  for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
    const float* p = px + base;
    float best = p[0];
    std::int64_t at = 0;
    for (std::int64_t k = 1; k < v.extent; ++k) {
      const float val = p[k * v.inner];
      if (val > best || (std::isnan(val) && !std::isnan(best))) {
        best = val;
        at = k;
      }
    }
    po[f] = static_cast<float>(at);
  });
  return out;
}

}  // namespace

AxisView axis_view(const Shape& shape, std::int64_t axis) {
  AxisView v;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const auto a = static_cast<std::size_t>(axis);
    (d < a ? v.outer : d == a ? v.extent : v.inner) *= shape[d];
  }
  return v;
}

std::int64_t AxisView::grain() const {
  return std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(extent, 1));
}

Axes normalize_axes(const Axes& axes, std::size_t rank, const char* op) {
  Axes out;
  for (std::int64_t a : axes) out.push_back(normalize_axis(a, rank, op));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Shape reduced_shape(const Shape& shape, const Axes& axes, bool keepdim) {
  Shape out;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    const bool reduced =
        std::find(axes.begin(), axes.end(), static_cast<std::int64_t>(d)) != axes.end();
    if (!reduced) {
      out.push_back(shape[d]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

Tensor sum(const Tensor& x) {
  const float* px = x.ptr();
  const double total = parallel_sum(
      x.numel(), [px](std::int64_t b, std::int64_t e) { return contiguous_sum(px + b, e - b); });
  Tensor out = Tensor::scalar(static_cast<float>(total));
  // d(sum x)/dx = 1 everywhere
  return record("sum", out, {x}, [shape = x.shape()](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{Tensor::full(shape, g.item())};
  });
}

Tensor sum(const Tensor& x, const Axes& axes, bool keepdim) {
  const Axes norm = normalize_axes(axes, x.shape().size(), "sum");
  Tensor acc = x.detach();
  for (std::int64_t a : norm) acc = sum_axis(acc, a);
  const Shape kept = reduced_shape(x.shape(), norm, true);
  Tensor out = detached_view(acc, reduced_shape(x.shape(), norm, keepdim));
  // d(sum over axes)/dx = 1: the gradient is repeated along the summed axes
  return record("sum", out, {x}, [kept, shape = x.shape()](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{broadcast_to(detached_view(g, kept), shape)};
  });
}

Tensor mean(const Tensor& x) {
  check_shape(x.numel() > 0, "mean: empty tensor of shape ", x.shape());
  return mul(sum(x), 1.0f / static_cast<float>(x.numel()));
}

Tensor mean(const Tensor& x, const Axes& axes, bool keepdim) {
  const Axes norm = normalize_axes(axes, x.shape().size(), "mean");
  std::int64_t count = 1;
  for (std::int64_t a : norm) count *= x.shape()[static_cast<std::size_t>(a)];
  check_shape(count > 0, "mean: reducing an empty axis of shape ", x.shape());
  return mul(sum(x, norm, keepdim), 1.0f / static_cast<float>(count));
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  check_shape(broadcast_shapes(x.shape(), shape, "broadcast_to") == shape,
              "broadcast_to: cannot broadcast ", x.shape(), " to ", shape);
  if (x.shape() == shape) return x;
  Tensor out = Tensor::empty(shape);
  const auto strides = broadcast_strides(x.shape(), shape);
  const float* px = x.ptr();
  float* po = out.ptr();
  const std::size_t last = shape.size() - 1;
  const std::int64_t inner = shape[last];
  const std::int64_t step = strides[last];
  parallel_for(
      out.numel() / std::max<std::int64_t>(inner, 1),
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          std::int64_t rest = r;
          std::int64_t offset = 0;
          for (std::size_t d = last; d-- > 0;) {
            offset += (rest % shape[d]) * strides[d];
            rest /= shape[d];
          }
          for (std::int64_t j = 0; j < inner; ++j) po[r * inner + j] = px[offset + j * step];
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(inner, 1)));
  return record("broadcast_to", out, {x}, [from = x.shape()](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{sum_to(g, from)};
  });
}

Tensor var(const Tensor& x, const Axes& axes, bool keepdim, std::int64_t correction) {
  const Axes norm = normalize_axes(axes, x.shape().size(), "var");
  std::int64_t count = 1;
  for (std::int64_t a : norm) count *= x.shape()[static_cast<std::size_t>(a)];
  check_shape(count - correction > 0, "var: ", count, " element(s) over axes of ", x.shape(),
              " leave no degrees of freedom with correction ", correction);
  const Tensor centred = sub(x, mean(x, norm, true));
  return mul(sum(square(centred), norm, keepdim), 1.0f / static_cast<float>(count - correction));
}

Tensor var(const Tensor& x) {
  Axes all(x.shape().size());
  for (std::size_t d = 0; d < all.size(); ++d) all[d] = static_cast<std::int64_t>(d);
  return var(x, all);
}

Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "argmax");
  return detached_view(argmax_values("argmax", x, a), reduced_shape(x.shape(), {a}, keepdim));
}

Tensor max(const Tensor& x, std::int64_t axis, bool keepdim) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "max");
  const AxisView v = axis_view(x.shape(), a);
  const Tensor at = argmax_values("max", x, a);
  Tensor out = Tensor::empty(reduced_shape(x.shape(), {a}, keepdim));
  const float* px = x.ptr();
  const float* pi = at.ptr();
  float* po = out.ptr();
  for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
    po[f] = px[base + static_cast<std::int64_t>(pi[f]) * v.inner];
  });
  // d max / dx = 1 at the first largest entry of each fiber, 0 elsewhere
  return record("max", out, {x}, [at, v, shape = x.shape()](const Tensor& g, const NeedsGrad&) {
    Tensor gx = Tensor::zeros(shape);
    const float* pg = g.ptr();
    const float* pa = at.ptr();
    float* pgx = gx.ptr();
    for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
      pgx[base + static_cast<std::int64_t>(pa[f]) * v.inner] = pg[f];
    });
    return std::vector<Tensor>{gx};
  });
}

Tensor logsumexp_values(const Tensor& x, std::int64_t axis) {
  const AxisView v = axis_view(x.shape(), axis);
  Tensor out = Tensor::empty(reduced_shape(x.shape(), {axis}, true));
  const float* px = x.ptr();
  float* po = out.ptr();
  for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
    const float* p = px + base;
    float top = -std::numeric_limits<float>::infinity();
    for (std::int64_t k = 0; k < v.extent; ++k) top = std::max(top, p[k * v.inner]);
    if (std::isinf(top)) {  // all -inf, or a +inf that dominates: exp(x - top) is NaN there
      po[f] = top;
      return;
    }
    double total = 0.0;
    for (std::int64_t k = 0; k < v.extent; ++k) total += std::exp(p[k * v.inner] - top);
    po[f] = top + static_cast<float>(std::log(total));
  });
  return out;
}

Tensor logsumexp(const Tensor& x, std::int64_t axis, bool keepdim) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "logsumexp");
  const Tensor lse = logsumexp_values(x, a);
  Tensor out = detached_view(lse, reduced_shape(x.shape(), {a}, keepdim));
  // d logsumexp / dx = softmax(x) = exp(x - logsumexp(x)) along the axis
  return record("logsumexp", out, {x}, [x = x.detach(), lse, a](const Tensor& g, const NeedsGrad&) {
    const AxisView v = axis_view(x.shape(), a);
    Tensor gx = Tensor::empty(x.shape());
    const float* px = x.ptr();
    const float* pl = lse.ptr();
    const float* pg = g.ptr();
    float* pgx = gx.ptr();
    for_each_fiber(v, [&](std::int64_t f, std::int64_t base) {
      for (std::int64_t k = 0; k < v.extent; ++k) {
        const std::int64_t i = base + k * v.inner;
        pgx[i] = pg[f] * std::exp(px[i] - pl[f]);
      }
    });
    return std::vector<Tensor>{gx};
  });
}

}  // namespace dither
