#include "augment/fgsm.h"

#include <algorithm>
#include <limits>

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

FgsmHook::FgsmHook(double eps, double weight, double p) : Hook(p), eps_(eps), weight_(weight) {}

std::unique_ptr<Hook> FgsmHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "eps", "weight", "p"});
  return std::make_unique<FgsmHook>(r.number("eps", 0.1, 0.0), r.number("weight", 0.5, 0.0, 1.0),
                                    r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json FgsmHook::to_json() const {
  return {{"type", type_name()}, {"eps", eps_}, {"weight", weight_}, {"p", p()}};
}

void FgsmHook::check_input(const InputInfo& input, const std::string& path) const {
  if (input.kind == InputKind::tokens) {
    throw ConfigError(path + ": fgsm perturbs inputs along their gradient; token ids have none");
  }
}

Tensor FgsmHook::perturb(const StepContext& ctx, const Tensor& x, const Tensor& grad) const {
  const bool bounded = ctx.input != nullptr && ctx.input->bounded();
  return fgsm_perturb(x, grad, static_cast<float>(eps_),
                      bounded ? ctx.input->low : -std::numeric_limits<float>::infinity(),
                      bounded ? ctx.input->high : std::numeric_limits<float>::infinity());
}

void FgsmHook::on_batch_start(StepContext& ctx) {
  active_ = eps_ > 0.0 && weight_ > 0.0 && fires(ctx);
  if (!active_) return;
  if (weight_ >= 1.0) {
    const Tensor x = ctx.inputs.detach();
    ctx.inputs = perturb(ctx, x, ctx.input_gradient(x, ctx.targets));
    active_ = false;
    return;
  }
  ctx.need_input_grad = true;
}

void FgsmHook::on_loss(StepContext& ctx) {
  if (active_) ctx.loss = mul(ctx.loss, static_cast<float>(1.0 - weight_));
}

void FgsmHook::on_backward(StepContext& ctx) {
  if (!active_) return;
  // The clean loss was scaled by (1 - weight) > 0, which leaves the gradient's sign unchanged.
  const Tensor x_adv = perturb(ctx, ctx.inputs.detach(), ctx.inputs.grad());
  const Tensor adv_loss = mul(ctx.loss_of(x_adv, ctx.targets), static_cast<float>(weight_));
  adv_loss.backward();
  ctx.extra_loss += adv_loss.item();
}

}  // namespace dither
