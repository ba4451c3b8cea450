#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

/// Alpha dropout for SELU networks, as PyTorch's AlphaDropout and Keras': with m ~ Bernoulli(1 -
/// p), dropped units are set to alpha' = -1.7580993408473766 (SELU's negative saturation) and
/// y = a (m x + (1 - m) alpha') + b, a = ((1 - p)(1 + p alpha'^2))^(-1/2), b = -a alpha' p, so a
/// zero-mean, unit-variance input keeps its mean and variance. p = 1 gives zeros (as PyTorch).
/// Noise only when noise_active(), else x itself. JSON: {"type": "alpha_dropout", "p": 0.5}.
class AlphaDropout : public Module {
 public:
  /// -scale * alpha of SELU.
  static constexpr double kAlphaPrime = -1.7580993408473766;

  /// Throws ConfigError unless p is in [0, 1].
  explicit AlphaDropout(double p = 0.5);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "alpha_dropout"; }
  nlohmann::json to_json() const override;

  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace dither
