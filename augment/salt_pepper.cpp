#include "augment/salt_pepper.h"

#include "augment/pointwise_noise.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

Tensor salt_and_pepper(const Tensor& x, float amount, float salt_vs_pepper, float low, float high,
                       const RandomStream& stream) {
  // One uniform u per element: u < amount * salt_vs_pepper is salt, the rest of u < amount pepper.
  const float salt = amount * salt_vs_pepper;
  return map_with_draws(
      x, [&](std::span<float> u) { stream.fill_uniform(u, 0.0f, 1.0f); },
      [&](float v, float u, std::uint64_t) { return u < salt ? high : (u < amount ? low : v); });
}

SaltPepperHook::SaltPepperHook(Strength amount, double salt_vs_pepper, double p)
    : Hook(p), amount_(amount), salt_vs_pepper_(salt_vs_pepper) {}

std::unique_ptr<Hook> SaltPepperHook::from_json(const nlohmann::json& spec,
                                                const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "amount", "salt_vs_pepper", "p", "ramp_epochs"});
  return std::make_unique<SaltPepperHook>(Strength::read(r, "amount", 0.05, 0.0, 1.0),
                                          r.number("salt_vs_pepper", 0.5, 0.0, 1.0),
                                          r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json SaltPepperHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"salt_vs_pepper", salt_vs_pepper_}, {"p", p()}};
  amount_.write(j, "amount");
  return j;
}

void SaltPepperHook::setup(const HookSetup& setup) {
  if (setup.input.kind == InputKind::tokens) {
    throw ConfigError(setup.path +
                      ": salt_pepper sets values to the ends of a range; token ids are not "
                      "values (use token_mask)");
  }
  if (!setup.input.bounded()) {
    throw ConfigError(setup.path +
                      ": salt_pepper needs inputs with a bounded valid range (images "
                      "in [0, 1]); this " +
                      to_string(setup.input.kind) +
                      " data is unbounded, so there is no 'black' or 'white' to set (use "
                      "gaussian or uniform noise, or feature_mask for tables)");
  }
}

void SaltPepperHook::on_batch(StepContext& ctx, Batch& batch) {
  const double amount = amount_.at(ctx.epochs_done());
  if (amount == 0.0 || !fires(ctx)) return;
  batch.inputs =
      salt_and_pepper(batch.inputs, static_cast<float>(amount), static_cast<float>(salt_vs_pepper_),
                      ctx.input->low, ctx.input->high, ctx.stream("salt_pepper"));
}

}  // namespace dither
