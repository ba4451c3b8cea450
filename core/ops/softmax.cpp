#include "core/ops/softmax.h"

#include <cmath>

#include "core/autograd.h"
#include "core/ops/reduce.h"

namespace dither {
namespace {

// out[i] = f(x[i], lse of i's fiber): softmax and log_softmax differ only in f.
template <class F>
Tensor from_logsumexp(const Tensor& x, const AxisView& v, std::int64_t axis, F f) {
  const Tensor lse = logsumexp_values(x, axis);
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.ptr();
  const float* pl = lse.ptr();
  float* po = out.ptr();
  for_each_fiber(v, [&](std::int64_t fiber, std::int64_t base) {
    for (std::int64_t k = 0; k < v.extent; ++k) {
      const std::int64_t i = base + k * v.inner;
      po[i] = f(px[i], pl[fiber]);
    }
  });
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "softmax");
  const AxisView v = axis_view(x.shape(), a);
  Tensor out = from_logsumexp(x, v, a, [](float xi, float lse) { return std::exp(xi - lse); });
  // dy_i/dx_j = y_i (delta_ij - y_j): grad_x = y * (g - sum(g * y)) along the axis
  return record("softmax", out, {x}, [y = out.detach(), v](const Tensor& g, const NeedsGrad&) {
    Tensor gx = Tensor::empty(y.shape());
    const float* py = y.ptr();
    const float* pg = g.ptr();
    float* pgx = gx.ptr();
    for_each_fiber(v, [&](std::int64_t, std::int64_t base) {
      double dot = 0.0;
      for (std::int64_t k = 0; k < v.extent; ++k) {
        dot += static_cast<double>(pg[base + k * v.inner]) * py[base + k * v.inner];
      }
      for (std::int64_t k = 0; k < v.extent; ++k) {
        const std::int64_t i = base + k * v.inner;
        pgx[i] = py[i] * (pg[i] - static_cast<float>(dot));
      }
    });
    return std::vector<Tensor>{gx};
  });
}

Tensor log_softmax(const Tensor& x, std::int64_t axis) {
  const std::int64_t a = normalize_axis(axis, x.shape().size(), "log_softmax");
  const AxisView v = axis_view(x.shape(), a);
  Tensor out = from_logsumexp(x, v, a, [](float xi, float lse) { return xi - lse; });
  // dy_i/dx_j = delta_ij - softmax_j: grad_x = g - exp(y) * sum(g) along the axis
  return record("log_softmax", out, {x}, [y = out.detach(), v](const Tensor& g, const NeedsGrad&) {
    Tensor gx = Tensor::empty(y.shape());
    const float* py = y.ptr();
    const float* pg = g.ptr();
    float* pgx = gx.ptr();
    for_each_fiber(v, [&](std::int64_t, std::int64_t base) {
      double total = 0.0;
      for (std::int64_t k = 0; k < v.extent; ++k) total += pg[base + k * v.inner];
      for (std::int64_t k = 0; k < v.extent; ++k) {
        const std::int64_t i = base + k * v.inner;
        pgx[i] = pg[i] - std::exp(py[i]) * static_cast<float>(total);
      }
    });
    return std::vector<Tensor>{gx};
  });
}

}  // namespace dither
