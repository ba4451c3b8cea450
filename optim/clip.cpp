#include "optim/clip.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

void check_limit(const char* op, const char* what, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw ConfigError(str(op, ": ", what, " must be >= 0, got ", value));
  }
}

}  // namespace

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
  check_limit("clip_grad_norm", "max_norm", max_norm);
  double squares = 0.0;
  for (const auto& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const float* pg = g.ptr();
    squares += parallel_sum(g.numel(), [&](std::int64_t b, std::int64_t e) {
      double s = 0.0;
      for (std::int64_t i = b; i < e; ++i) s += static_cast<double>(pg[i]) * pg[i];
      return s;
    });
  }
  const double norm = std::sqrt(squares);
  // The 1e-6 is torch's: no division by zero when every gradient is zero.
  const double coef = max_norm / (norm + 1e-6);
  if (!std::isfinite(norm) || coef >= 1.0) return norm;
  const auto scale = static_cast<float>(coef);
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    float* pg = g.ptr();
    parallel_for(g.numel(), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) pg[i] *= scale;
    });
  }
  return norm;
}

void clip_grad_value(const std::vector<Tensor>& params, double clip) {
  check_limit("clip_grad_value", "clip", clip);
  const auto limit = static_cast<float>(clip);
  for (const auto& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    float* pg = g.ptr();
    parallel_for(g.numel(), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) pg[i] = std::clamp(pg[i], -limit, limit);
    });
  }
}

}  // namespace dither
