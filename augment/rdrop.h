#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// (KL(p_a || p_b) + KL(p_b || p_a)) / 2 with p = softmax of logits [N, K] by rows, summed over
/// classes and averaged over the N samples: R-Drop's consistency term. Symmetric in its
/// arguments, 0 when they are equal; differentiable in both.
Tensor symmetric_kl(const Tensor& logits_a, const Tensor& logits_b);

/// {"type": "rdrop", "alpha": 0.6, "ramp_epochs": 0, "p": 1}: R-Drop (Liang et al., NeurIPS 2021).
/// A second training forward of the batch with independent dropout masks (ctx.forward in train
/// mode, an extra pass of the step: BatchNorm statistics are not kept from it), and the loss
///   (L + CE(logits_2)) / 2 + alpha * symmetric_kl(logits, logits_2),
/// L the loss as it reaches this hook. With no noise layer in the model both passes agree and the
/// term is 0. alpha 0.6 is the paper's value for image classification (its ViT code: 0.3 times
/// KL + reverse KL); it tunes alpha per task (0.1 to 5). The reference code sums the KL over the
/// batch and the classes, so there alpha weighs the KL about B times more against the mean
/// cross-entropy than dither's per-sample mean does: scale alpha up when porting small values.
class RDropHook : public Hook {
 public:
  RDropHook(Strength alpha, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "rdrop"; }
  nlohmann::json to_json() const override;
  /// ConfigError naming the path unless the loss takes class targets (the KL compares class
  /// probabilities).
  void setup(const HookSetup& setup) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;

 private:
  Strength alpha_;
};

}  // namespace dither
