#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// JS(p_1, ..., p_M) = (1/M) sum_m KL(p_m || mix), mix = (1/M) sum_m p_m, p_m = softmax of
/// logits[m] [N, K] by rows, with log mix clamped below at 1e-7 as AugMix's code does; KL summed
/// over classes and averaged over the N samples. 0 when every prediction is the same;
/// differentiable in every input. Needs M >= 2 tensors of one shape.
Tensor jensen_shannon(const std::vector<Tensor>& logits);

/// {"type": "consistency", "of": {...a noise hook...}, "views": 2, "lambda": 12,
///  "ramp_epochs": 0, "p": 1}: AugMix's Jensen-Shannon consistency (Hendrycks et al. 2020)
/// around any input-noise hook. on_batch makes `views` views of the batch with the wrapped
/// hook's on_batch, each view from its own streams (the wrapped hook sees a seed derived from
/// (seed, noise[i], view)), and passes the clean batch on; on_loss adds
///   lambda * jensen_shannon(logits of the clean batch, logits of each view)
/// where the views' logits come from training-mode extra passes (their BatchNorm statistics
/// are not kept; AugMix instead runs the three in one batch). Cross-entropy stays on the clean
/// batch only, as in AugMix. Only the wrapped hook's on_batch (and its state) is used, so it
/// must be a hook that makes a view of the inputs (gaussian, cutout, random_erasing, ...).
class ConsistencyHook : public Hook {
 public:
  ConsistencyHook(std::unique_ptr<Hook> of, std::int64_t views, Strength lambda, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "consistency"; }
  nlohmann::json to_json() const override;
  /// Sets up the wrapped hook at "<path>.of". ConfigError when the loss does not take classes or
  /// the wrapped hook does not make input views (mixing, label, weight and gradient hooks).
  void setup(const HookSetup& setup) override;
  nlohmann::json state() const override { return of_->state(); }
  void load_state(const nlohmann::json& state) override { of_->load_state(state); }
  void on_epoch_start(StepContext& ctx) override;
  void on_batch(StepContext& ctx, Batch& batch) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;
  void on_step_end(StepContext& ctx) override;
  Tensor extra_inputs(StepContext& ctx, const Batch& batch) override;

  /// The context the wrapped hook sees for view `view` of this hook's step `ctx`.
  static StepContext view_context(const StepContext& ctx, std::int64_t view);

 private:
  std::unique_ptr<Hook> of_;
  std::int64_t views_;
  Strength lambda_;
  std::vector<Tensor> inputs_;  // this step's views, empty when the hook does not act
};

}  // namespace dither
