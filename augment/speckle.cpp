#include "augment/speckle.h"

#include <algorithm>

namespace dither {

Tensor add_speckle_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                         float high) {
  return map_elements(x, [&](float v, std::uint64_t i) {
    return std::clamp(v * (1.0f + sigma * stream.normal(i)), low, high);
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
