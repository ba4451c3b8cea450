#include "augment/fgsm.h"

#include <algorithm>

#include "augment/gaussian.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "core/parallel.h"

namespace dither {

Tensor fgsm_perturb(const Tensor& x, const Tensor& grad, float eps, float low, float high) {
  check_shape(x.shape() == grad.shape(), "fgsm: input ", x.shape(), " and gradient ", grad.shape(),
              " differ");
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.ptr();
  const float* pg = grad.ptr();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const float step = pg[i] > 0.0f ? eps : (pg[i] < 0.0f ? -eps : 0.0f);
      po[i] = std::clamp(px[i] + step, low, high);
    }
  });
  return out;
}

FgsmHook::FgsmHook(Strength eps, double weight, PassMode attack_mode, double p)
    : Hook(p), eps_(eps), weight_(weight), attack_mode_(attack_mode) {}

std::unique_ptr<Hook> FgsmHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "eps", "weight", "attack_mode", "p", "ramp_epochs"});
  return std::make_unique<FgsmHook>(
      Strength::read(r, "eps", 0.1, 0.0, 1e6), r.number("weight", 0.5, 0.0, 1.0),
      read_pass_mode(r, "attack_mode", PassMode::eval), r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json FgsmHook::to_json() const {
  nlohmann::json j{{"type", type_name()},
                   {"weight", weight_},
                   {"attack_mode", to_string(attack_mode_)},
                   {"p", p()}};
  eps_.write(j, "eps");
  return j;
}

void FgsmHook::setup(const HookSetup& setup) {
  if (setup.input.kind == InputKind::tokens) {
    throw ConfigError(setup.path +
                      ": fgsm perturbs inputs along their gradient; token ids have none");
  }
}

Tensor FgsmHook::adversarial(const StepContext& ctx, const Batch& batch) const {
  const Tensor& targets = batch.targets;
  const Tensor g = ctx.input_gradient(
      batch.inputs, [&](const Tensor& logits) { return ctx.loss(logits, targets); }, attack_mode_);
  const auto [low, high] = clip_range(*ctx.input, true);
  return fgsm_perturb(batch.inputs.detach(), g, static_cast<float>(eps_.at(ctx.epochs_done())), low,
                      high);
}

void FgsmHook::on_batch(StepContext& ctx, Batch& batch) {
  active_ = eps_.at(ctx.epochs_done()) > 0.0 && weight_ > 0.0 && fires(ctx);
  if (active_ && weight_ >= 1.0) {
    batch.inputs = adversarial(ctx, batch);
    active_ = false;
  }
}

Tensor FgsmHook::on_loss(StepContext& ctx, const Batch& batch, const Tensor&, Tensor loss) {
  if (!active_) return loss;
  const Tensor adv_loss =
      ctx.loss(ctx.forward(adversarial(ctx, batch), PassMode::train), batch.targets);
  return add(mul(loss, static_cast<float>(1.0 - weight_)),
             mul(adv_loss, static_cast<float>(weight_)));
}

Tensor FgsmHook::extra_inputs(StepContext& ctx, const Batch& batch) {
  return active_ ? adversarial(ctx, batch) : Tensor();
}

}  // namespace dither
