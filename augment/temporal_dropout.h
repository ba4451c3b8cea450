#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// What a dropped step becomes: 0 in every feature, or the last kept step's values (a sample
/// and hold, tsaug's "ffill"; 0 when no earlier step was kept). Neither reads a later step.
enum class StepFill { zero, previous };

/// x [B, T, F] with each valid step t < L_b of sample b dropped (all F features at once) when
/// the bulk uniform draw b * T + t of `stream` is below `rate`; padding and kept steps keep
/// their values. No 1/(1 - rate) rescaling (as tsaug's Dropout). A new leaf.
Tensor temporal_dropout(const Tensor& x, const std::vector<std::int64_t>& lengths, float rate,
                        StepFill fill, const RandomStream& stream);

/// {"type": "temporal_dropout", "rate": 0.05, "fill": "zero", "p": 1, "ramp_epochs": 0}: drops
/// single time steps of the training sequences, as a sensor that misses readings. tsaug's
/// Dropout(p=0.05, size=1, fill="ffill") is the anchor: the same rate and per-step choice, the
/// same positions for every channel; dither fills zeros by default (a dropped reading reads as
/// nothing, and the model cannot learn to spot a held value) and offers "previous" for tsaug's
/// forward fill; tsaug's "bfill" and "mean" would read future steps and are left out. A fixed
/// seed gives other drops at every step (tsaug repeats the same ones, #21). Lengths are
/// respected: padding is never touched. Sequences [T, F] only; token ids are refused with a
/// pointer to token_mask.
class TemporalDropoutHook : public Hook {
 public:
  TemporalDropoutHook(Strength rate, StepFill fill, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "temporal_dropout"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength rate_;
  StepFill fill_;
};

}  // namespace dither
