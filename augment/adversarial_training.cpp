#include "augment/adversarial_training.h"

#include <utility>

#include "augment/forward_reuse.h"
#include "augment/gaussian.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"

namespace dither {
namespace {

struct Preset {
  const char* type;
  double weight;
  double alpha_per_eps;  ///< alpha's default; the step count divides it for PGD
  AttackSpec defaults;
};

std::unique_ptr<Hook> read_hook(const Preset& preset, const nlohmann::json& spec,
                                const std::string& path) {
  JsonReader r(spec, path);
  std::vector<std::string> keys = AttackSpec::keys();
  keys.insert(keys.end(), {"type", "eps", "weight", "p", "ramp_epochs"});
  r.allow_only(keys);
  const Strength eps = Strength::read(r, "eps", 0.1, 0.0, 1e6);
  const std::int64_t steps = r.integer("steps", preset.defaults.steps, 1, 100'000);
  const AttackSpec attack = AttackSpec::read(r, eps.value, preset.defaults,
                                             preset.alpha_per_eps / static_cast<double>(steps));
  return std::make_unique<AdversarialTrainingHook>(preset.type, eps, attack,
                                                   r.number("weight", preset.weight, 0.0, 1.0),
                                                   r.number("p", 1.0, 0.0, 1.0));
}

AttackSpec preset_attack(std::int64_t steps, bool random_start) {
  AttackSpec a;
  a.steps = steps;
  a.random_start = random_start;
  return a;
}

}  // namespace

AdversarialTrainingHook::AdversarialTrainingHook(std::string type, Strength eps, AttackSpec attack,
                                                 double weight, double p)
    : Hook(p), type_(std::move(type)), eps_(eps), attack_(attack), weight_(weight) {}

std::unique_ptr<Hook> AdversarialTrainingHook::fgsm(const nlohmann::json& spec,
                                                    const std::string& path) {
  return read_hook({"fgsm", 0.5, 1.0, preset_attack(1, false)}, spec, path);
}

std::unique_ptr<Hook> AdversarialTrainingHook::fgsm_rs(const nlohmann::json& spec,
                                                       const std::string& path) {
  return read_hook({"fgsm_rs", 1.0, 1.25, preset_attack(1, true)}, spec, path);
}

std::unique_ptr<Hook> AdversarialTrainingHook::pgd(const nlohmann::json& spec,
                                                   const std::string& path) {
  return read_hook({"pgd", 1.0, 2.5, preset_attack(7, true)}, spec, path);
}

nlohmann::json AdversarialTrainingHook::to_json() const {
  nlohmann::json j{{"type", type_}, {"weight", weight_}, {"p", p()}};
  eps_.write(j, "eps");
  attack_.write(j);
  return j;
}

void require_differentiable_inputs(const HookSetup& setup, const std::string& technique) {
  if (setup.input.kind == InputKind::tokens) {
    throw ConfigError(setup.path + ": " + technique +
                      " perturbs inputs along their gradient; token ids have none (use "
                      "token_mask, or an attack on the embeddings)");
  }
}

void AdversarialTrainingHook::setup(const HookSetup& setup) {
  require_differentiable_inputs(setup, type_);
}

Tensor AdversarialTrainingHook::adversarial(const StepContext& ctx, const Batch& batch) const {
  const auto [low, high] = clip_range(*ctx.input, true);
  return run_attack(attack_.at_eps(eps_.at(ctx.epochs_done())), batch.inputs,
                    cross_entropy_objective(batch.targets), *ctx.passes, ctx.stream("start"), low,
                    high);
}

void AdversarialTrainingHook::on_batch(StepContext& ctx, Batch& batch) {
  active_ = eps_.at(ctx.epochs_done()) > 0.0 && weight_ > 0.0 && fires(ctx);
  input_leaf_ = Tensor();
  if (active_ && weight_ >= 1.0) {
    batch.inputs = adversarial(ctx, batch);
    active_ = false;
  } else if (active_ && reuse_ && attack_.one_step_from_input()) {
    // The training forward then records the path back to the inputs; on_loss decides whether
    // that graph can serve (later hooks may change the batch or the model) and cuts the path
    // again before the step's backward, which thus never pays for the first layer's dL/dx.
    input_leaf_ = batch.inputs.detach();
    input_leaf_.set_requires_grad(true);
    batch.inputs = input_leaf_;
  }
}

Tensor AdversarialTrainingHook::adversarial_for_loss(const StepContext& ctx, const Batch& batch,
                                                     const Tensor& logits) {
  Tensor leaf = std::exchange(input_leaf_, Tensor());
  if (!leaf.defined()) return adversarial(ctx, batch);
  // A later hook that changed the inputs (or another FGSM hook's leaf) is another tensor.
  const bool serves = batch.inputs.same_as(leaf) && logits.requires_grad() &&
                      training_forward_serves(*ctx.model, attack_.mode);
  Tensor g;
  if (serves) g = grad(sum(cross_entropy_objective(batch.targets)(logits)), {leaf})[0];
  leaf.set_requires_grad(false);
  if (!serves) return adversarial(ctx, batch);
  const auto [low, high] = clip_range(*ctx.input, true);
  const Tensor x = leaf.detach();
  return attack_step(attack_.at_eps(eps_.at(ctx.epochs_done())), x, g, x, low, high);
}

Tensor AdversarialTrainingHook::on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits,
                                        Tensor loss) {
  if (!active_) return loss;
  const Tensor adv_loss = ctx.loss(
      ctx.forward(adversarial_for_loss(ctx, batch, logits), PassMode::train), batch.targets);
  return add(mul(loss, static_cast<float>(1.0 - weight_)),
             mul(adv_loss, static_cast<float>(weight_)));
}

Tensor AdversarialTrainingHook::extra_inputs(StepContext& ctx, const Batch& batch) {
  return active_ ? adversarial(ctx, batch) : Tensor();
}

}  // namespace dither
