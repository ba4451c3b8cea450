#include "core/ops/unary.h"

#include <cmath>

#include "core/error.h"

namespace dither {

Tensor exp(const Tensor& x) {
  return pointwise(
      "exp", x, [](float v) { return std::exp(v); }, [](float, float y) { return y; });
}

Tensor log(const Tensor& x) {
  return pointwise(
      "log", x, [](float v) { return std::log(v); }, [](float v, float) { return 1.0f / v; });
}

Tensor sqrt(const Tensor& x) {
  return pointwise(
      "sqrt", x, [](float v) { return std::sqrt(v); }, [](float, float y) { return 0.5f / y; });
}

Tensor pow(const Tensor& x, float exponent) {
  return pointwise(
      "pow", x, [exponent](float v) { return std::pow(v, exponent); },
      [exponent](float v, float) {
        // x^0 is constant: its slope is 0 even at x = 0, where 0 * 0^-1 would be NaN.
        return exponent == 0.0f ? 0.0f : exponent * std::pow(v, exponent - 1.0f);
      });
}

Tensor square(const Tensor& x) {
  return pointwise(
      "square", x, [](float v) { return v * v; }, [](float v, float) { return 2.0f * v; });
}

Tensor abs(const Tensor& x) {
  return pointwise(
      "abs", x, [](float v) { return std::abs(v); },
      [](float v, float) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); });
}

Tensor sign(const Tensor& x) {
  return pointwise(
      "sign", x, [](float v) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); },
      [](float, float) { return 0.0f; });
}

Tensor clamp(const Tensor& x, float lo, float hi) {
  check(lo <= hi, "clamp: lower bound ", lo, " is above upper bound ", hi, " for input ",
        x.shape());
  return pointwise(
      "clamp", x, [lo, hi](float v) { return v < lo ? lo : (v > hi ? hi : v); },
      [lo, hi](float v, float) { return v > lo && v < hi ? 1.0f : 0.0f; });
}

}  // namespace dither
