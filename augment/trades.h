#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/attack.h"
#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// TRADES (Zhang et al. 2019): loss = L(f(x), y) + beta * KL(softmax f(x) || softmax f(x')),
/// the KL summed over classes and averaged over the batch, with f(x) the step's own training
/// logits (not detached, as the reference). x' maximises KL(f(x) || f(x')) within eps by
/// sign-gradient steps from x + 0.001 N(0, 1), against the clean prediction of an attack_mode
/// pass (eval by default, as the reference and ART).
/// {"type": "trades", "eps": 0.1, "beta": 6, "steps": 10, "alpha": eps / 4, "norm": "linf",
///  "attack_mode": "eval", "ramp_epochs": 0, "p": 1}. beta in [1, 10] trades clean accuracy for
/// robustness; the README of the reference uses 6 on CIFAR-10 and 1 on MNIST.
class TradesHook : public Hook {
 public:
  TradesHook(Strength eps, AttackSpec attack, double beta, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "trades"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;
  Tensor extra_inputs(StepContext& ctx, const Batch& batch) override;

 private:
  Tensor adversarial(const StepContext& ctx, const Tensor& x) const;
  Strength eps_;
  AttackSpec attack_;
  double beta_;
};

}  // namespace dither
