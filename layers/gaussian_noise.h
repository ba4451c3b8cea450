#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

/// Additive Gaussian noise, as Keras' GaussianNoise: y = x + e, e ~ N(0, sigma^2) per element
/// (sigma is a standard deviation, in the units of x). Any shape. Noise only when
/// noise_active(), from the layer's stream noise_stream("gaussian_noise") at the current clock;
/// otherwise the exact identity (x itself). JSON: {"type": "gaussian_noise", "sigma": 0.1}.
class GaussianNoise : public Module {
 public:
  /// Throws ConfigError unless sigma is finite and >= 0.
  explicit GaussianNoise(double sigma);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "gaussian_noise"; }
  nlohmann::json to_json() const override;

  double sigma() const { return sigma_; }

 private:
  double sigma_;
};

/// Multiplicative Gaussian noise, as Keras' GaussianDropout: y = x * e, e ~ N(1, p / (1 - p))
/// per element (standard deviation sqrt(p / (1 - p)), the variance of inverted dropout with the
/// same p). Noise only when noise_active(), else x itself.
/// JSON: {"type": "gaussian_dropout", "p": 0.5}.
class GaussianDropout : public Module {
 public:
  /// Throws ConfigError unless p is in [0, 1): p = 1 would need an infinite deviation.
  explicit GaussianDropout(double p = 0.5);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "gaussian_dropout"; }
  nlohmann::json to_json() const override;

  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace dither
