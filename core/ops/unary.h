#pragma once

#include <cstdint>
#include <vector>

#include "core/autograd.h"
#include "core/parallel.h"
#include "core/tensor.h"

namespace dither {

/// e^x, element-wise; same shape as x.
Tensor exp(const Tensor& x);
/// Natural logarithm, element-wise (-inf at 0, NaN below, as IEEE float gives).
Tensor log(const Tensor& x);
/// Square root, element-wise.
Tensor sqrt(const Tensor& x);
/// x^exponent, element-wise; gradient exponent * x^(exponent-1).
Tensor pow(const Tensor& x, float exponent);
/// x * x, element-wise.
Tensor square(const Tensor& x);
/// |x|, element-wise; gradient sign(x), 0 at 0.
Tensor abs(const Tensor& x);
/// -1, 0 or 1 by the sign of x; the gradient is zero everywhere.
Tensor sign(const Tensor& x);
/// min(max(x, lo), hi); gradient 1 strictly inside (lo, hi), 0 elsewhere. Throws when lo > hi.
Tensor clamp(const Tensor& x, float lo, float hi);

namespace detail {

/// out[i] = g[i] * slope(x[i], y[i]) over [s, e). A plain function with restrict pointers and
/// the slope in a variable of its own: the same loop written inline in the backward lambda stayed
/// scalar and branching (ReLU's backward was 14% of a CNN step).
template <class Slope>
void times_slope(const Slope& slope, const float* __restrict g, const float* __restrict x,
                 const float* __restrict y, float* __restrict out, std::int64_t s, std::int64_t e) {
  for (std::int64_t i = s; i < e; ++i) {
    const float d = slope(x[i], y[i]);  // named: GCC then makes ReLU's branch a vector select
    out[i] = g[i] * d;
  }
}

}  // namespace detail

/// The element-wise op `value(x)` with derivative `slope(x, y)` (y = value(x)), recorded as `op`:
/// grad_x = grad_y * slope(x, y). The shared building block of unary.h and activation.h.
template <class Value, class Slope>
Tensor pointwise(const char* op, const Tensor& x, Value value, Slope slope) {
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.ptr();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) po[i] = value(px[i]);
  });
  // dy/dx = slope(x, y)
  return record(op, out, {x},
                [x = x.detach(), y = out.detach(), slope](const Tensor& g, const NeedsGrad&) {
                  Tensor gx = Tensor::empty(x.shape());
                  const float* pg = g.ptr();
                  const float* pxs = x.ptr();
                  const float* pys = y.ptr();
                  float* pgx = gx.ptr();
                  parallel_for(gx.numel(), [&](std::int64_t s, std::int64_t e) {
                    detail::times_slope(slope, pg, pxs, pys, pgx, s, e);
                  });
                  return std::vector<Tensor>{gx};
                });
}

}  // namespace dither
