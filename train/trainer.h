#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "core/error.h"
#include "layers/loss.h"
#include "layers/module.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "train/data/loader.h"
#include "train/metrics.h"
#include "train/progress.h"

namespace dither {

/// The config's "train" block.
struct TrainSettings {
  std::int64_t epochs = 10;
  std::int64_t batch_size = 128;
  double clip_grad_norm = 0.0;   ///< 0: off
  double clip_grad_value = 0.0;  ///< 0: off
  std::int64_t patience = 0;     ///< early stopping after this many epochs without progress; 0: off
  double min_delta = 0.0;        ///< what counts as progress
  std::string monitor = "val_loss";  ///< or "val_accuracy"

  static TrainSettings from_json(const nlohmann::json& spec, const std::string& path = "train");
  nlohmann::json to_json() const;
};

/// What one epoch of training measured.
struct EpochStats {
  double loss = 0.0;      ///< mean training loss (after on_loss hooks) over the epoch's samples
  double accuracy = 0.0;  ///< top-1 on the (possibly noised) training batches
  std::int64_t samples = 0;
  double seconds = 0.0;
};

/// Runs training steps through the hooks, in the order augment/hook.h documents: on_batch,
/// forward, loss, on_loss, plus the model's regularisers (Module::regularization), backward
/// (once), on_gradients, divergence check, clipping, optimizer.step_with(regradient),
/// schedule.step_batch(), on_step_end. Without a GradientHook, clipping or an optimiser that
/// needs every gradient first, the divergence check and the step of each parameter run inside
/// backward, as soon as that parameter's gradient is final (bitwise the same weights). A wrapper
/// such as SAM calls regradient for a second forward, loss and backward at moved weights. The
/// model's training forward of step t draws its noise from (seed, layer path, t, pass 0); the
/// hooks' extra passes from passes 1, 2...
class Trainer {
 public:
  Trainer(Module& model, const Loss& loss, Optimizer& optimizer, Schedule* schedule,
          std::vector<std::unique_ptr<Hook>> hooks, InputInfo input, TrainSettings settings,
          std::uint64_t seed);

  /// One optimiser step on `batch`. Returns the step's loss and its correct count.
  std::pair<double, std::int64_t> train_step(Batch batch, std::int64_t epoch,
                                             std::int64_t batch_index,
                                             std::int64_t batches_per_epoch = 1);
  /// What the hooks make of `batch` at (epoch, batch_index), for dither show: the batch after
  /// each hook's on_batch in config order, and a hook's extra_inputs() where it has them, each
  /// titled "<i> <type>". Nothing is trained; the step count stays.
  std::vector<std::pair<std::string, Batch>> batch_stages(Batch batch, std::int64_t epoch,
                                                          std::int64_t batch_index,
                                                          std::int64_t batches_per_epoch);
  /// Every batch of `epoch` from `loader`, each trained on batch_replays() times; the loss and
  /// accuracy are means over the replays, `samples` counts each sample once. Returns early,
  /// mid-epoch, when stop_requested() (train/interrupt.h) says a signal asked the run to stop.
  EpochStats train_epoch(BatchLoader& loader, std::int64_t epoch, Progress& progress);
  /// Throws DivergenceError naming the parameter when any weight is NaN or Inf: the end-of-epoch
  /// check that catches an optimiser step that blew up after the last gradient check.
  void check_parameters(std::int64_t epoch) const;

  std::int64_t step() const { return step_; }
  void set_step(std::int64_t step) { step_ = step; }
  const std::vector<std::unique_ptr<Hook>>& hooks() const { return hooks_; }
  const TrainSettings& settings() const { return settings_; }
  /// Every hook's state(), in config order: what a checkpoint carries for the hooks.
  nlohmann::json hook_states() const;
  /// Puts hook_states() back; throws ConfigError when the list does not fit the hooks.
  void load_hook_states(const nlohmann::json& states);

 private:
  StepContext context(std::int64_t epoch, std::int64_t batch_index, std::int64_t batches_per_epoch,
                      ExtraPasses* passes);
  void check_loss_finite(double loss, const StepContext& ctx) const;
  /// DivergenceError naming the parameter when its gradient holds a NaN or Inf.
  void check_gradient_finite(const std::pair<std::string, Tensor>& param,
                             const StepContext& ctx) const;
  /// The criterion, the hooks' on_loss terms, then the model's total_regularization().
  Tensor step_loss(StepContext& ctx, const Batch& batch, const Tensor& logits);
  /// loss.backward(), on_gradients hooks, the divergence check and clipping; the loss's value.
  double backward(StepContext& ctx, const Tensor& loss);
  /// backward() and the optimiser's step in one sweep, for a per-parameter optimiser with no
  /// GradientHook and no clipping: each parameter's gradient is checked and the parameter updated
  /// as soon as the gradient is final, while it is still in cache. The same weights, bitwise, as
  /// backward() then step(); a divergence stops the run with some parameters already updated.
  double backward_and_step_each_parameter(StepContext& ctx, const Tensor& loss);
  /// The step's gradient again at the current weights (same batch, same noise), BatchNorm
  /// statistics as before the call: Optimizer::step_with's regradient (SAM).
  void regradient(StepContext& ctx, const Batch& batch);
  Module& model_;
  const Loss& loss_;
  Optimizer& optimizer_;
  Schedule* schedule_;
  std::vector<std::unique_ptr<Hook>> hooks_;
  InputInfo input_;
  TrainSettings settings_;
  std::uint64_t seed_;
  std::int64_t step_ = 0;
  std::vector<std::pair<std::string, Tensor>> params_;
  std::int64_t replays_;
  std::vector<std::pair<std::size_t, GradientHook*>> gradient_hooks_;  // with their hooks_ index
  PerParameterOptimizer* per_parameter_ = nullptr;  // set when each parameter steps in backward
  static constexpr std::size_t kNotStepped = static_cast<std::size_t>(-1);
  std::vector<std::size_t> optimizer_index_;  // per params_ entry: its optimiser index
};

/// Optimiser steps per batch: the largest Hook::replays() (1 without a replaying hook).
std::int64_t batch_replays(const std::vector<std::unique_ptr<Hook>>& hooks);

/// Correct top-1 predictions of logits [B, K] against class ids [B] or soft targets [B, K]
/// (whose argmax counts as the label).
std::int64_t count_correct(const Tensor& logits, const Tensor& targets);

}  // namespace dither
