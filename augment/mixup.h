#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"
#include "augment/mixing.h"
#include "augment/strength.h"

namespace dither {

/// The batch mixed by `plan` (Zhang et al. 2018): inputs x~_i = lam_i x_i + (1 - lam_i) x_j with
/// j = partner(i), targets as soft rows lam_i y_i + (1 - lam_i) y_j, and per-sample lengths (when
/// the batch has them) max(l_i, l_j), so every step either sample had stays valid. New tensors;
/// the input batch is left alone.
Batch mixup_batch(const Batch& batch, const MixPlan& plan);

/// {"type": "mixup", "alpha": 1.0, "mode": "batch", "p": 1, "ramp_epochs": 0}: Mixup with
/// lam ~ Beta(alpha, alpha) (alpha 1, the reference and torchvision default: lam uniform; 0: off),
/// one lam per batch or, with "mode": "sample", one per sample. `p` gates whole batches.
/// Differs from the anchors on purpose: the partner is a random permutation drawn from the
/// hook's own stream (as mixup-cifar10's randperm) rather than torchvision's roll or timm's flip,
/// so pairs do not depend on the loader's order and any batch size works (timm asserts an even
/// batch; a batch of one is mixed with itself and stays as it is); label smoothing is not folded
/// in (timm's Mixup smooths by default) but left to the loss, where it is applied once. Refused
/// for token ids and for losses that cannot take soft targets.
class MixupHook : public Hook {
 public:
  MixupHook(Strength alpha, MixMode mode, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "mixup"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength alpha_;
  MixMode mode_;
};

}  // namespace dither
