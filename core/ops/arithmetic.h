#pragma once

#include "core/tensor.h"

namespace dither {

/// a + b, a - b, a * b, a / b with NumPy broadcasting; the result has the broadcast shape.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);

/// Scalar forms: x + s, x - s, x * s, x / s, and s - x (rsub).
Tensor add(const Tensor& x, float s);
Tensor sub(const Tensor& x, float s);
Tensor mul(const Tensor& x, float s);
Tensor div(const Tensor& x, float s);
Tensor rsub(float s, const Tensor& x);
Tensor neg(const Tensor& x);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator+(const Tensor& x, float s) { return add(x, s); }
inline Tensor operator-(const Tensor& x, float s) { return sub(x, s); }
inline Tensor operator*(const Tensor& x, float s) { return mul(x, s); }
inline Tensor operator*(float s, const Tensor& x) { return mul(x, s); }
inline Tensor operator/(const Tensor& x, float s) { return div(x, s); }
inline Tensor operator-(const Tensor& x) { return neg(x); }

}  // namespace dither
