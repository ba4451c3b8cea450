#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/pointwise_noise.h"

namespace dither {

/// x + U(-amplitude, amplitude) per element, clamped to [low, high] (pass -inf, +inf for no
/// clamp). Zero mean, variance amplitude^2 / 3. A new leaf, the same at any thread count.
Tensor add_uniform_noise(const Tensor& x, float amplitude, const RandomStream& stream, float low,
                         float high);

/// {"type": "uniform", "amplitude": 0.1, "clip": false, "p": 1, "ramp_epochs": 0}: additive
/// uniform input noise, bounded where Gaussian noise is not: no element moves further than
/// `amplitude`, in the units the model sees (images in [0, 1]). Same noise std as a gaussian
/// hook with sigma = amplitude / sqrt(3). "clip" is off by default for the reason the gaussian
/// hook gives (clamping on a black background makes the noise one-sided). The anchors have no
/// training hook for it (imgaug's AdditiveUniformNoise works in 0-255 pixel units). Refused for
/// token ids.
class UniformNoiseHook : public PointwiseNoiseHook {
 public:
  explicit UniformNoiseHook(PointwiseNoiseOptions options);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "uniform"; }

 protected:
  Tensor perturb(const Tensor& x, float amplitude, const RandomStream& stream, float low,
                 float high) const override;
};

}  // namespace dither
