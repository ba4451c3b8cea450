#include "core/ops/compare.h"

#include <cmath>

#include "core/autograd.h"
#include "core/ops/arithmetic.h"
#include "core/ops/map.h"
#include "core/ops/reduce.h"
#include "core/ops/sum_to.h"

namespace dither {
namespace {

// Share of the gradient a receives: 1 where `wins(a, b)`, 0 where b wins, 1/2 on a tie.
template <class Wins>
Tensor share_of_first(const char* op, const Tensor& a, const Tensor& b, Wins wins) {
  return binary_map(
      op, a, b, [wins](float x, float y) { return wins(x, y) ? 1.0f : (x == y ? 0.5f : 0.0f); });
}

// maximum (wins = greater) or minimum (wins = less).
template <class Wins>
Tensor extremum(const char* op, const Tensor& a, const Tensor& b, Wins wins) {
  // NaN in either input propagates, as in PyTorch.
  Tensor out = binary_map(op, a, b,
                          [wins](float x, float y) { return wins(y, x) || std::isnan(y) ? y : x; });
  // d/da = 1 where a wins, d/db = 1 where b wins, 1/2 each on a tie
  return record(op, out, {a, b},
                [op, a = a.detach(), b = b.detach(), wins](const Tensor& g, const NeedsGrad& n) {
                  Tensor ga, gb;
                  if (n[0]) ga = sum_to(mul(g, share_of_first(op, a, b, wins)), a.shape());
                  if (n[1]) gb = sum_to(mul(g, share_of_first(op, b, a, wins)), b.shape());
                  return std::vector<Tensor>{ga, gb};
                });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return extremum("maximum", a, b, [](float x, float y) { return x > y; });
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  return extremum("minimum", a, b, [](float x, float y) { return x < y; });
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Shape shape =
      broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  // Views (no copy) where a shape already matches; the rare broadcast operand is expanded.
  const Tensor c = broadcast_to(cond.detach(), shape);
  const Tensor va = broadcast_to(a.detach(), shape);
  const Tensor vb = broadcast_to(b.detach(), shape);
  Tensor out = Tensor::empty(shape);
  const float* pc = c.ptr();
  const float* pa = va.ptr();
  const float* pb = vb.ptr();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t i = s; i < e; ++i) po[i] = pc[i] != 0.0f ? pa[i] : pb[i];
  });
  // d/da = 1 where cond holds, d/db = 1 elsewhere; cond is not differentiable
  return record("where", out, {a, b},
                [c, sa = a.shape(), sb = b.shape()](const Tensor& g, const NeedsGrad& n) {
                  auto routed = [&](bool to_a) {
                    return binary_map("where", g, c, [to_a](float gv, float cv) {
                      return (cv != 0.0f) == to_a ? gv : 0.0f;
                    });
                  };
                  return std::vector<Tensor>{n[0] ? sum_to(routed(true), sa) : Tensor(),
                                             n[1] ? sum_to(routed(false), sb) : Tensor()};
                });
}

}  // namespace dither
