#include "core/ops/reduce.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/map.h"
#include "core/ops/sum_to.h"

namespace dither {
namespace {

// out[o, i] = sum_k x[o, k, i] for x seen as [outer, extent, inner].
Tensor sum_axis(const Tensor& x, std::int64_t axis) {
  const Shape& s = x.shape();
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  for (std::int64_t d = 0; d < axis; ++d) outer *= s[static_cast<std::size_t>(d)];
  for (std::size_t d = static_cast<std::size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
  const std::int64_t extent = s[static_cast<std::size_t>(axis)];
  Shape out_shape = s;
  out_shape[static_cast<std::size_t>(axis)] = 1;
  Tensor out = Tensor::zeros(out_shape);
  const float* px = x.ptr();
  float* po = out.ptr();
  if (inner == 1) {
    parallel_for(
        outer,
        [&](std::int64_t o0, std::int64_t o1) {
          for (std::int64_t o = o0; o < o1; ++o) {
            double acc = 0.0;
            for (std::int64_t k = 0; k < extent; ++k) acc += px[o * extent + k];
            po[o] = static_cast<float>(acc);
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

Tensor reshape_raw(const Tensor& x, Shape shape) {
  Tensor out = x.detach();
  TensorAccess::impl(out)->shape = std::move(shape);
  return out;
}

}  // namespace

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
  const double total = parallel_sum(x.numel(), [px](std::int64_t b, std::int64_t e) {
    double acc = 0.0;
    for (std::int64_t i = b; i < e; ++i) acc += px[i];
    return acc;
  });
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
  Tensor out = reshape_raw(acc, reduced_shape(x.shape(), norm, keepdim));
  // d(sum over axes)/dx = 1: the gradient is repeated along the summed axes
  return record("sum", out, {x}, [kept, shape = x.shape()](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{broadcast_to(reshape_raw(g, kept), shape)};
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

}  // namespace dither
