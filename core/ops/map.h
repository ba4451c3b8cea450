#pragma once

// Element-wise kernels shared by the op families: a unary map and a NumPy-broadcasting binary
// map, both split across the thread budget with a fixed partition.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/parallel.h"
#include "core/tensor.h"

namespace dither {

/// out[i] = f(x[i]).
template <class F>
Tensor unary_map(const Tensor& x, F f) {
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.ptr();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) po[i] = f(px[i]);
  });
  return out;
}

/// Strides of `shape` seen from the broadcast shape `out` (0 along broadcast axes).
std::vector<std::int64_t> broadcast_strides(const Shape& shape, const Shape& out);

/// out[i] = f(a[ia], b[ib]) with NumPy broadcasting; `op` names the caller in shape errors.
template <class F>
Tensor binary_map(const char* op, const Tensor& a, const Tensor& b, F f) {
  const float* pa = a.ptr();
  const float* pb = b.ptr();
  if (a.shape() == b.shape()) {
    Tensor out = Tensor::empty(a.shape());
    float* po = out.ptr();
    parallel_for(out.numel(), [&](std::int64_t s, std::int64_t e) {
      for (std::int64_t i = s; i < e; ++i) po[i] = f(pa[i], pb[i]);
    });
    return out;
  }
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = Tensor::empty(shape);
  float* po = out.ptr();
  if (shape.empty() || out.numel() == 0) {
    if (out.numel() == 1) po[0] = f(pa[0], pb[0]);
    return out;
  }
  const auto sa = broadcast_strides(a.shape(), shape);
  const auto sb = broadcast_strides(b.shape(), shape);
  const std::size_t last = shape.size() - 1;
  const std::int64_t inner = shape[last];
  const std::int64_t ia = sa[last];
  const std::int64_t ib = sb[last];
  const std::int64_t rows = out.numel() / inner;
  const std::int64_t grain =
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(inner, 1));
  parallel_for(
      rows,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          std::int64_t rest = r;
          std::int64_t oa = 0;
          std::int64_t ob = 0;
          for (std::size_t d = last; d-- > 0;) {
            const std::int64_t idx = rest % shape[d];
            rest /= shape[d];
            oa += idx * sa[d];
            ob += idx * sb[d];
          }
          float* row = po + r * inner;
          for (std::int64_t j = 0; j < inner; ++j) row[j] = f(pa[oa + j * ia], pb[ob + j * ib]);
        }
      },
      grain);
  return out;
}

}  // namespace dither
