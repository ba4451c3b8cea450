#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// {"type": "label_smoothing", "eps": 0.1, "mode": "uniform", "p": 1, "ramp_epochs": 0}: label
/// smoothing (Szegedy et al. 2016), done once, by the cross-entropy loss, which this hook
/// configures: the target t becomes q = (1 - eps) t + eps / K ("uniform": PyTorch, timm, Keras),
/// or with "mode": "others" 1 - eps on the label and eps / (K - 1) on each other class
/// (mmpretrain's classy_vision, MindSpore). Both are affine in t, so smoothing commutes with
/// Mixup and CutMix whatever the hook order, and mixed targets are never smoothed twice (timm
/// folds smoothing into its Mixup targets instead). setup() sets the loss's smoothing; each
/// batch then gets eps at the ramp's current value, or 0 when `p` leaves the batch out.
/// Validation and test losses are the NLL of the true class and never see it (as timm
/// validates with plain CE). Refused unless the loss is cross_entropy, and when
/// loss.label_smoothing is also set: smoothing is set in one place.
class LabelSmoothingHook : public Hook {
 public:
  LabelSmoothingHook(Strength eps, Smoothing mode, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "label_smoothing"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength eps_;
  Smoothing mode_;
  Loss* loss_ = nullptr;
};

}  // namespace dither
