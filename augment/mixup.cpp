#include "augment/mixup.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

Batch mixup_batch(const Batch& batch, const MixPlan& plan) {
  Batch out = batch;
  out.inputs = mix_rows(batch.inputs.detach(), plan);
  out.targets = mix_targets(batch.targets, batch.num_classes, plan);
  if (batch.lengths.defined()) {
    out.lengths = Tensor::empty(batch.lengths.shape());
    for (std::size_t i = 0; i < plan.partner.size(); ++i) {
      const auto j = static_cast<std::size_t>(plan.partner[i]);
      out.lengths.ptr()[i] = std::max(batch.lengths.ptr()[i], batch.lengths.ptr()[j]);
    }
  }
  return out;
}

MixupHook::MixupHook(Strength alpha, MixMode mode, double p)
    : Hook(p), alpha_(alpha), mode_(mode) {}

std::unique_ptr<Hook> MixupHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "alpha", "mode", "p", "ramp_epochs"});
  return std::make_unique<MixupHook>(Strength::read(r, "alpha", 1.0, 0.0, 1e3),
                                     read_mix_mode(r, "mode"), r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json MixupHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"mode", to_string(mode_)}, {"p", p()}};
  alpha_.write(j, "alpha");
  return j;
}

void MixupHook::setup(const HookSetup& setup) {
  if (setup.input.kind == InputKind::tokens) {
    throw ConfigError(setup.path +
                      ": mixup blends input values, and token ids are not values; use "
                      "manifold_mixup with \"layers\" after the embedding");
  }
  require_soft_target_loss(setup, "mixup");
}

void MixupHook::on_batch(StepContext& ctx, Batch& batch) {
  const double alpha = alpha_.at(ctx.epochs_done());
  if (alpha == 0.0 || !fires(ctx)) return;
  batch = mixup_batch(batch, draw_mix_plan(ctx.stream("mixup"), batch.size(), alpha, mode_));
}

}  // namespace dither
