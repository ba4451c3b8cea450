#include "augment/gaussian.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

Tensor add_gaussian_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                          float high) {
  Tensor out = Tensor::empty(x.shape());
  const float* in = x.ptr();
  float* o = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      o[i] = std::clamp(in[i] + sigma * stream.normal(static_cast<std::uint64_t>(i)), low, high);
    }
  });
  return out;
}

GaussianNoiseHook::GaussianNoiseHook(double sigma, double p, bool clip)
    : Hook(p), sigma_(sigma), clip_(clip) {}

std::unique_ptr<Hook> GaussianNoiseHook::from_json(const nlohmann::json& spec,
                                                   const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "sigma", "p", "clip"});
  return std::make_unique<GaussianNoiseHook>(r.number("sigma", 0.1, 0.0),
                                             r.number("p", 1.0, 0.0, 1.0), r.boolean("clip", true));
}

nlohmann::json GaussianNoiseHook::to_json() const {
  return {{"type", type_name()}, {"sigma", sigma_}, {"p", p()}, {"clip", clip_}};
}

void GaussianNoiseHook::check_input(const InputInfo& input, const std::string& path) const {
  if (input.kind == InputKind::tokens) {
    throw ConfigError(path +
                      ": gaussian noise needs continuous inputs; token ids are not (use "
                      "token masking, or gaussian_noise after an embedding layer)");
  }
}

void GaussianNoiseHook::on_batch_start(StepContext& ctx) {
  if (sigma_ == 0.0 || !fires(ctx)) return;
  const bool clip = clip_ && ctx.input != nullptr && ctx.input->bounded();
  const float low = clip ? ctx.input->low : -std::numeric_limits<float>::infinity();
  const float high = clip ? ctx.input->high : std::numeric_limits<float>::infinity();
  ctx.inputs = add_gaussian_noise(ctx.inputs.detach(), static_cast<float>(sigma_),
                                  ctx.stream("gaussian"), low, high);
}

}  // namespace dither
