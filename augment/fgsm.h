#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"

namespace dither {

/// clip(x + eps * sign(grad), low, high): the fast gradient sign step (Goodfellow et al. 2015).
Tensor fgsm_perturb(const Tensor& x, const Tensor& grad, float eps, float low, float high);

/// {"type": "fgsm", "eps": 0.1, "weight": 0.5, "p": 1.0}: adversarial training with
/// loss = (1 - weight) L(x) + weight L(x_adv), x_adv = fgsm_perturb(x, dL/dx), clipped to the
/// dataset's valid range. With weight < 1 the clean pass's own input gradient makes x_adv (one
/// extra forward and backward per step); with weight = 1 the batch is replaced by x_adv, found
/// with ctx.input_gradient before the step. eps is in the units the model sees (images in
/// [0, 1]). The true labels are used; the attack runs in the model's training mode, as the
/// clean pass does.
class FgsmHook : public Hook {
 public:
  FgsmHook(double eps, double weight, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "fgsm"; }
  nlohmann::json to_json() const override;
  void check_input(const InputInfo& input, const std::string& path) const override;
  void on_batch_start(StepContext& ctx) override;
  void on_loss(StepContext& ctx) override;
  void on_backward(StepContext& ctx) override;

 private:
  Tensor perturb(const StepContext& ctx, const Tensor& x, const Tensor& grad) const;
  double eps_;
  double weight_;
  bool active_ = false;
};

}  // namespace dither
