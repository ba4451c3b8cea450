#include "augment/rdrop.h"

#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"

namespace dither {

Tensor symmetric_kl(const Tensor& logits_a, const Tensor& logits_b) {
  check_shape(logits_a.shape() == logits_b.shape() && logits_a.dim() == 2, "symmetric_kl: logits ",
              logits_a.shape(), " and ", logits_b.shape(), " must both be [N, K]");
  return mul(add(kl_div_logits(logits_a, logits_b), kl_div_logits(logits_b, logits_a)), 0.5f);
}

RDropHook::RDropHook(Strength alpha, double p) : Hook(p), alpha_(alpha) {}

std::unique_ptr<Hook> RDropHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "alpha", "p", "ramp_epochs"});
  return std::make_unique<RDropHook>(Strength::read(r, "alpha", 0.6, 0.0, 1e6),
                                     r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json RDropHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"p", p()}};
  alpha_.write(j, "alpha");
  return j;
}

void RDropHook::setup(const HookSetup& setup) {
  if (!setup.loss.takes_class_targets()) {
    throw ConfigError(setup.path + ": rdrop compares two passes' class probabilities; the loss '" +
                      setup.loss.options().type + "' does not take classes");
  }
}

Tensor RDropHook::on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) {
  if (!fires(ctx)) return loss;
  const Tensor second = ctx.forward(batch.inputs, PassMode::train);
  const Tensor both = mul(add(loss, ctx.loss(second, batch.targets)), 0.5f);
  const auto alpha = static_cast<float>(alpha_.at(ctx.epochs_done()));
  if (alpha == 0.0f) return both;
  return add(both, mul(symmetric_kl(logits, second), alpha));
}

}  // namespace dither
