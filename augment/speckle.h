#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/pointwise_noise.h"

namespace dither {

/// x * (1 + sigma * N(0, 1)) per element, clamped to [low, high] (pass -inf, +inf for no clamp):
/// multiplicative noise whose std is sigma * |x|, so zeros stay zero. A new leaf, the same at any
/// thread count.
Tensor add_speckle_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                         float high);

/// {"type": "speckle", "sigma": 0.1, "clip": false, "p": 1, "ramp_epochs": 0}: speckle (signal-
/// proportional) input noise. skimage's random_noise(mode="speckle") computes the same
/// x + x * n with n ~ N(0, var) (var 0.01 by default, so the same sigma 0.1) but clips by
/// default; dither does not by default, as for the gaussian hook: clamping bright pixels at 1
/// makes the noise one-sided. The black background of an image is left untouched, unlike with
/// additive noise. Refused for token ids.
class SpeckleNoiseHook : public PointwiseNoiseHook {
 public:
  explicit SpeckleNoiseHook(PointwiseNoiseOptions options);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "speckle"; }

 protected:
  Tensor perturb(const Tensor& x, float sigma, const RandomStream& stream, float low,
                 float high) const override;
};

}  // namespace dither
