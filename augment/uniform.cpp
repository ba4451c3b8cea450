#include "augment/uniform.h"

#include <algorithm>

namespace dither {

Tensor add_uniform_noise(const Tensor& x, float amplitude, const RandomStream& stream, float low,
                         float high) {
  return map_with_draws(
      x, [&](std::span<float> u) { stream.fill_uniform(u, -amplitude, amplitude); },
      [&](float v, float u, std::uint64_t) { return std::clamp(v + u, low, high); });
}

UniformNoiseHook::UniformNoiseHook(PointwiseNoiseOptions options)
    : PointwiseNoiseHook("amplitude", options) {}

std::unique_ptr<Hook> UniformNoiseHook::from_json(const nlohmann::json& spec,
                                                  const std::string& path) {
  return std::make_unique<UniformNoiseHook>(
      PointwiseNoiseOptions::read(spec, path, "amplitude", 0.1));
}

Tensor UniformNoiseHook::perturb(const Tensor& x, float amplitude, const RandomStream& stream,
                                 float low, float high) const {
  return add_uniform_noise(x, amplitude, stream, low, high);
}

}  // namespace dither
