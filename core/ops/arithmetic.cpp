#include "core/ops/arithmetic.h"

#include "core/autograd.h"
#include "core/ops/map.h"
#include "core/ops/sum_to.h"

namespace dither {

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_map("add", a, b, [](float x, float y) { return x + y; });
  // d(a+b)/da = 1, d(a+b)/db = 1
  return record("add", out, {a, b},
                [sa = a.shape(), sb = b.shape()](const Tensor& g, const NeedsGrad& n) {
                  return std::vector<Tensor>{n[0] ? sum_to(g, sa) : Tensor(),
                                             n[1] ? sum_to(g, sb) : Tensor()};
                });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_map("sub", a, b, [](float x, float y) { return x - y; });
  // d(a-b)/da = 1, d(a-b)/db = -1
  return record("sub", out, {a, b},
                [sa = a.shape(), sb = b.shape()](const Tensor& g, const NeedsGrad& n) {
                  return std::vector<Tensor>{n[0] ? sum_to(g, sa) : Tensor(),
                                             n[1] ? sum_to(neg(g), sb) : Tensor()};
                });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_map("mul", a, b, [](float x, float y) { return x * y; });
  // d(ab)/da = b, d(ab)/db = a
  return record("mul", out, {a, b},
                [a = a.detach(), b = b.detach()](const Tensor& g, const NeedsGrad& n) {
                  return std::vector<Tensor>{n[0] ? sum_to(mul(g, b), a.shape()) : Tensor(),
                                             n[1] ? sum_to(mul(g, a), b.shape()) : Tensor()};
                });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_map("div", a, b, [](float x, float y) { return x / y; });
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
  return record(
      "div", out, {a, b}, [a = a.detach(), b = b.detach()](const Tensor& g, const NeedsGrad& n) {
        Tensor ga, gb;
        if (n[0]) ga = sum_to(div(g, b), a.shape());
        if (n[1]) {
          Tensor q = binary_map("div", a, b, [](float x, float y) { return -x / (y * y); });
          gb = sum_to(mul(g, q), b.shape());
        }
        return std::vector<Tensor>{ga, gb};
      });
}

Tensor add(const Tensor& x, float s) {
  Tensor out = unary_map(x, [s](float v) { return v + s; });
  // d(x+s)/dx = 1
  return record("add_scalar", out, {x},
                [](const Tensor& g, const NeedsGrad&) { return std::vector<Tensor>{g}; });
}

Tensor sub(const Tensor& x, float s) { return add(x, -s); }

Tensor mul(const Tensor& x, float s) {
  Tensor out = unary_map(x, [s](float v) { return v * s; });
  // d(xs)/dx = s
  return record("mul_scalar", out, {x},
                [s](const Tensor& g, const NeedsGrad&) { return std::vector<Tensor>{mul(g, s)}; });
}

Tensor div(const Tensor& x, float s) { return mul(x, 1.0f / s); }

Tensor rsub(float s, const Tensor& x) { return add(neg(x), s); }

Tensor neg(const Tensor& x) { return mul(x, -1.0f); }

}  // namespace dither
