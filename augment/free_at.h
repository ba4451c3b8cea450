#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// Free adversarial training (Shafahi et al. 2019): every batch is replayed `replays` times, each
/// replay a full optimiser step on clip(x + delta) whose one backward pass also gives the input
/// gradient, after which delta <- clip_eps(delta + eps * sign(grad)). delta starts at 0 once and
/// carries across batches (sliced for a short last batch) and across checkpoints (hook state).
/// {"type": "free_at", "eps": 0.1, "replays": 4, "ramp_epochs": 0, "p": 1}.
/// Epochs: an epoch of free_at is one pass over the data with m optimiser steps per batch, so
/// it costs about m clean epochs; the paper divides the epoch count by m to match the compute
/// of clean training, so set train.epochs to N / m for that. Schedules count every replay as a
/// step. Where p skips a batch, its replays train on the clean batch and leave delta as it was.
class FreeAdversarialHook : public GradientHook {
 public:
  FreeAdversarialHook(Strength eps, std::int64_t replays, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "free_at"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  std::int64_t replays() const override { return replays_; }
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;
  void on_batch(StepContext& ctx, Batch& batch) override;
  void on_gradients(StepContext& ctx) override;

  /// The perturbation carried to the next replay: [batch rows seen so far, ...sample shape].
  const Tensor& delta() const { return delta_; }

 private:
  Strength eps_;
  std::int64_t replays_;
  Tensor delta_;
  Tensor leaf_;  ///< this replay's perturbed inputs, whose gradient moves delta
  float eps_now_ = 0.0f;
};

}  // namespace dither
