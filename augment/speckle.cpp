#include "augment/speckle.h"

#include <algorithm>

namespace dither {

Tensor add_speckle_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                         float high) {
  return map_with_draws(
      x, [&](std::span<float> z) { stream.fill_normal(z, 0.0f, 1.0f); },
      [&](float v, float z, std::uint64_t) {
        return std::clamp(v * (1.0f + sigma * z), low, high);
      });
}

SpeckleNoiseHook::SpeckleNoiseHook(PointwiseNoiseOptions options)
    : PointwiseNoiseHook("sigma", options) {}

std::unique_ptr<Hook> SpeckleNoiseHook::from_json(const nlohmann::json& spec,
                                                  const std::string& path) {
  return std::make_unique<SpeckleNoiseHook>(PointwiseNoiseOptions::read(spec, path, "sigma", 0.1));
}

Tensor SpeckleNoiseHook::perturb(const Tensor& x, float sigma, const RandomStream& stream,
                                 float low, float high) const {
  return add_speckle_noise(x, sigma, stream, low, high);
}

}  // namespace dither
