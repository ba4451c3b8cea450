#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// clip(x + eps * sign(grad), low, high): the fast gradient sign step (Goodfellow et al. 2015).
Tensor fgsm_perturb(const Tensor& x, const Tensor& grad, float eps, float low, float high);

/// {"type": "fgsm", "eps": 0.1, "weight": 0.5, "attack_mode": "eval", "p": 1, "ramp_epochs": 0}:
/// adversarial training with the one loss (1 - weight) L(x) + weight L(x_adv), where
/// x_adv = fgsm_perturb(x, dL/dx) is clipped to the dataset's valid range and found with the true
/// labels. The attack's gradient comes from an extra pass in `attack_mode` (eval by default: no
/// dropout, BatchNorm's running statistics, none of them updated); the adversarial loss is a
/// training-mode pass whose BatchNorm statistics are not kept. With weight 1 the batch itself is
/// replaced by x_adv. eps is in the units the model sees (images in [0, 1]).
class FgsmHook : public Hook {
 public:
  FgsmHook(Strength eps, double weight, PassMode attack_mode, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "fgsm"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;
  Tensor extra_inputs(StepContext& ctx, const Batch& batch) override;

 private:
  Tensor adversarial(const StepContext& ctx, const Batch& batch) const;
  Strength eps_;
  double weight_;
  PassMode attack_mode_;
  bool active_ = false;
};

}  // namespace dither
