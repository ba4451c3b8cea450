#include "train/study/spread.h"

#include <cmath>

namespace dither {

double Spread::standard_error() const { return n > 0 ? std / std::sqrt(n) : 0.0; }

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  double sum = 0.0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++s.n;
  }
  if (s.n == 0) {
    s.mean = std::nan("");
    return s;
  }
  s.mean = sum / s.n;
  if (s.n < 2) return s;
  double squares = 0.0;
  for (double v : values) {
    if (!std::isnan(v)) squares += (v - s.mean) * (v - s.mean);
  }
  s.std = std::sqrt(squares / (s.n - 1));
  return s;
}

std::optional<bool> within_noise(const Spread& a, const Spread& b) {
  if (a.n < 2 || b.n < 2) return std::nullopt;
  const double se = std::sqrt(a.std * a.std / a.n + b.std * b.std / b.n);
  return std::abs(a.mean - b.mean) < 2.0 * se;
}

nlohmann::json within_noise_json(const Spread& a, const Spread& b) {
  if (a.n < 2 || b.n < 2) return nullptr;
  return *within_noise(a, b);
}

}  // namespace dither
