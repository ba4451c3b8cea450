#include "augment/trades.h"

#include "augment/adversarial_training.h"
#include "augment/gaussian.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"
#include "core/ops/unary.h"

namespace dither {

TradesHook::TradesHook(Strength eps, AttackSpec attack, double beta, double p)
    : Hook(p), eps_(eps), attack_(attack), beta_(beta) {}

std::unique_ptr<Hook> TradesHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  std::vector<std::string> keys = AttackSpec::keys();
  keys.insert(keys.end(), {"type", "eps", "beta", "p", "ramp_epochs"});
  r.allow_only(keys);
  const Strength eps = Strength::read(r, "eps", 0.1, 0.0, 1e6);
  AttackSpec defaults;
  defaults.steps = 10;
  AttackSpec attack = AttackSpec::read(r, eps.value, defaults, 0.25);
  if (attack.random_start) {
    throw ConfigError(r.path_of("random_start") +
                      ": TRADES starts from x + 0.001 N(0, 1), not a random point of the ball");
  }
  return std::make_unique<TradesHook>(eps, attack, r.number("beta", 6.0, Interval::at_least(0.0)),
                                      r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json TradesHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"beta", beta_}, {"p", p()}};
  eps_.write(j, "eps");
  attack_.write(j);
  return j;
}

void TradesHook::setup(const HookSetup& setup) { require_differentiable_inputs(setup, "trades"); }

Tensor TradesHook::adversarial(const StepContext& ctx, const Tensor& x) const {
  const auto [low, high] = clip_range(*ctx.input, true);
  Tensor clean;
  {
    const NoGradGuard no_grad;
    clean = ctx.forward(x, attack_.mode);
  }
  const Tensor start = clamp(
      add(x.detach(), Tensor::randn(x.shape(), ctx.stream("start"), 0.0f, 0.001f)), low, high);
  return run_attack(attack_.at_eps(eps_.at(ctx.epochs_done())), x, kl_objective(clean), *ctx.passes,
                    ctx.stream("restarts"), low, high, start);
}

Tensor TradesHook::on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits,
                           Tensor loss) {
  if (beta_ == 0.0 || eps_.at(ctx.epochs_done()) == 0.0 || !fires(ctx)) return loss;
  const Tensor adv_logits = ctx.forward(adversarial(ctx, batch.inputs), PassMode::train);
  return add(loss, mul(kl_div_logits(logits, adv_logits), static_cast<float>(beta_)));
}

Tensor TradesHook::extra_inputs(StepContext& ctx, const Batch& batch) {
  return adversarial(ctx, batch.inputs);
}

}  // namespace dither
