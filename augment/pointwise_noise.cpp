#include "augment/pointwise_noise.h"

#include "augment/gaussian.h"
#include "core/json_reader.h"

namespace dither {

PointwiseNoiseOptions PointwiseNoiseOptions::read(const nlohmann::json& spec,
                                                  const std::string& path, const char* key,
                                                  double fallback) {
  JsonReader r(spec, path);
  r.allow_only({"type", key, "clip", "p", "ramp_epochs"});
  return {Strength::read(r, key, fallback, 0.0, 1e6), r.boolean("clip", false),
          r.number("p", 1.0, 0.0, 1.0)};
}

PointwiseNoiseHook::PointwiseNoiseHook(const char* key, PointwiseNoiseOptions options)
    : Hook(options.p), key_(key), strength_(options.strength), clip_(options.clip) {}

nlohmann::json PointwiseNoiseHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"clip", clip_}, {"p", p()}};
  strength_.write(j, key_);
  return j;
}

void PointwiseNoiseHook::setup(const HookSetup& setup) {
  require_continuous_inputs(setup, (type_name() + " noise").c_str());
}

void PointwiseNoiseHook::on_batch(StepContext& ctx, Batch& batch) {
  const double strength = strength_.at(ctx.epochs_done());
  if (strength == 0.0 || !fires(ctx)) return;
  const auto [low, high] = clip_range(*ctx.input, clip_);
  batch.inputs =
      perturb(batch.inputs, static_cast<float>(strength), ctx.stream(type_name()), low, high);
}

}  // namespace dither
