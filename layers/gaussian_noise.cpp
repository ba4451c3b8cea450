#include "layers/gaussian_noise.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/noise.h"
#include "core/random.h"

namespace dither {

GaussianNoise::GaussianNoise(double sigma) : sigma_(sigma) {
  if (!(std::isfinite(sigma) && sigma >= 0.0)) {
    throw ConfigError(str("gaussian_noise: sigma must be finite and >= 0, got ", sigma));
  }
}

Tensor GaussianNoise::forward(const Tensor& x) {
  if (!noise_active()) return x;
  const RandomStream stream = noise_stream(type_name());
  if (sigma_ == 0.0) return x;
  return apply_noise(x, Tensor(),
                     Tensor::randn(x.shape(), stream, 0.0f, static_cast<float>(sigma_)));
}

nlohmann::json GaussianNoise::to_json() const { return {{"type", type_name()}, {"sigma", sigma_}}; }

GaussianDropout::GaussianDropout(double p)
    : p_(check_drop_probability("gaussian_dropout", p, /*allow_one=*/false)) {}

Tensor GaussianDropout::forward(const Tensor& x) {
  if (!noise_active()) return x;
  const RandomStream stream = noise_stream(type_name());
  if (p_ == 0.0) return x;
  const auto deviation = static_cast<float>(std::sqrt(p_ / (1.0 - p_)));
  return apply_noise(x, Tensor::randn(x.shape(), stream, 1.0f, deviation), Tensor());
}

nlohmann::json GaussianDropout::to_json() const { return {{"type", type_name()}, {"p", p_}}; }

}  // namespace dither
