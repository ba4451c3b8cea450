#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace dither {

/// A metric's spread over the seeds of one point or variant: the mean, the sample standard
/// deviation (n - 1 in the denominator; 0 for one value) and the number of values.
struct Spread {
  double mean = 0.0;
  double std = 0.0;
  int n = 0;

  /// The standard error of the mean, std / sqrt(n).
  double standard_error() const;
};

/// The spread of `values`; NaNs (a metric a run did not measure) are left out.
Spread spread_of(const std::vector<double>& values);

/// Whether the difference of two means is within noise: |mean_a - mean_b| < 2 * SE(diff), with
/// SE(diff) = sqrt(std_a^2 / n_a + std_b^2 / n_b) (Welch's standard error; two of them is about
/// a 95% interval). Unknown (nullopt) when either side has fewer than two values, since one seed
/// says nothing about the noise.
std::optional<bool> within_noise(const Spread& a, const Spread& b);

/// within_noise(a, b) as JSON: true, false, or null when unknown.
nlohmann::json within_noise_json(const Spread& a, const Spread& b);

}  // namespace dither
