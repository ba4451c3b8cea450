#include "train/temperature.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace dither {

double nll_at_temperature(const Tensor& logits, std::span<const std::int32_t> labels,
                          double temperature) {
  check_shape(logits.dim() == 2 && logits.size(0) == static_cast<std::int64_t>(labels.size()),
              "temperature: logits ", logits.shape(), " do not fit ", labels.size(), " labels");
  check(!labels.empty(), "temperature: the set is empty");
  check(temperature > 0.0, "temperature: must be > 0, got ", temperature);
  const std::int64_t k = logits.size(1);
  const float* p = logits.ptr();
  double sum = 0.0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const float* row = p + static_cast<std::int64_t>(i) * k;
    check(labels[i] >= 0 && labels[i] < k, "temperature: label ", labels[i], " outside [0, ", k,
          ")");
    const double top = *std::max_element(row, row + k) / temperature;
    double norm = 0.0;
    for (std::int64_t j = 0; j < k; ++j) norm += std::exp(row[j] / temperature - top);
    sum += std::log(norm) + top - row[labels[i]] / temperature;
  }
  return sum / static_cast<double>(labels.size());
}

double fit_temperature(const Tensor& logits, std::span<const std::int32_t> labels) {
  const auto nll = [&](double log_t) {
    return nll_at_temperature(logits, labels, std::exp(log_t));
  };
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  double a = std::log(0.01);
  double b = std::log(100.0);
  double c = b - ratio * (b - a);
  double d = a + ratio * (b - a);
  double fc = nll(c);
  double fd = nll(d);
  // 60 steps shrink the bracket by 0.618^60 ~ 3e-13: T to about 1e-12 relative.
  for (int step = 0; step < 60; ++step) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = nll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = nll(d);
    }
  }
  return std::exp(0.5 * (a + b));
}

}  // namespace dither
