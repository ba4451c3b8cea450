#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "augment/passes.h"
#include "core/audio/audio_source.h"
#include "core/batch.h"
#include "core/input_info.h"
#include "core/random.h"
#include "core/tensor.h"
#include "layers/loss.h"
#include "layers/module.h"

namespace dither {

/// What a hook is checked against and may configure when the experiment is built, after the
/// model: the data's inputs, the model, the loss, and the hook's JSON path for error messages.
struct HookSetup {
  const InputInfo& input;
  Module& model;
  Loss& loss;
  std::string path;  ///< "noise[2]"
  /// Up to `limit` training inputs [n, ...sample_shape] (0: all), for hooks that need the
  /// data's statistics (a feature's mean or marginal). Empty function: not available.
  std::function<Tensor(std::int64_t limit)> training_inputs;
  /// Spectrogram data: the sound behind the features, for hooks that change the sound and
  /// recompute the features. Null for every other kind of data.
  std::shared_ptr<AudioSource> audio = nullptr;
};

/// What every hook sees for one training step. Hooks replace fields and batch tensors; they never
/// edit a tensor in place (a replaced input is a new leaf: noise is data, not graph).
struct StepContext {
  std::int64_t epoch = 0;        ///< 0-based
  std::int64_t step = 0;         ///< global optimiser step, 0-based
  std::int64_t batch_index = 0;  ///< within the epoch
  std::int64_t batches_per_epoch = 1;
  std::int64_t total_epochs = 0;
  std::size_t hook_index = 0;  ///< set by the trainer before each hook call: noise[hook_index]
  std::uint64_t seed = 0;
  Module* model = nullptr;
  const InputInfo* input = nullptr;
  const Loss* criterion = nullptr;
  ExtraPasses* passes = nullptr;  ///< side-effect-free forwards and input gradients

  /// Training progress in epochs: epoch + batch_index / batches_per_epoch (strength ramps).
  double epochs_done() const;
  /// This hook's own stream for this step: (seed, "noise[i]/purpose", step).
  RandomStream stream(std::string_view purpose) const;
  /// This hook's stream for a per-sample choice fixed across epochs: (seed, "noise[i]/purpose").
  RandomStream fixed_stream(std::string_view purpose) const;

  /// The criterion on (logits, batch targets): the loss a hook's extra term is measured by.
  Tensor loss(const Tensor& logits, const Tensor& targets) const;
  /// An extra forward of the model on x (see ExtraPasses::forward).
  Tensor forward(const Tensor& x, PassMode mode) const;
  /// d f(model(x)) / dx (see ExtraPasses::input_gradient).
  Tensor input_gradient(const Tensor& x, const ScalarOfLogits& f, PassMode mode) const;
};

/// A regularisation hook. The trainer calls hooks in config order at fixed points of each step:
///
///   for hook: hook.on_batch(ctx, batch)           pure transform of the batch
///   logits = model.forward(batch.inputs)          noise layers draw from (seed, path, step, pass
///   0) loss = criterion(logits, batch.targets)       the only place labels are smoothed for hook:
///   loss = hook.on_loss(ctx, batch, logits, loss)   extra terms, one scalar loss.backward() once
///   for hook: hook.on_gradients(ctx)              reads and rewrites parameter gradients only
///   clipping, optimizer.step()
///   for hook: hook.on_step_end(ctx)
///
/// Invariants: only the trainer calls optimizer.step() and backward(); the loss stays one scalar;
/// extra passes go through ctx.forward and ctx.input_gradient, which change no BatchNorm
/// statistic and no parameter gradient; no hook writes noise into stored parameters. Evaluation
/// calls no hook.
class Hook {
 public:
  /// `p`: probability that the hook acts on a given batch.
  explicit Hook(double p = 1.0) : p_(p) {}
  virtual ~Hook() = default;

  virtual std::string type_name() const = 0;
  /// Full spec with defaults filled in, "type" and "p" included: make_hook() reads it back.
  virtual nlohmann::json to_json() const = 0;
  /// Checks the technique against the data, model and loss (ConfigError naming setup.path when it
  /// makes no sense there) and configures them where the technique lives in them.
  virtual void setup(const HookSetup&) {}

  /// What a checkpoint must carry for a resumed run to be bitwise the same (null: nothing).
  virtual nlohmann::json state() const { return nullptr; }
  virtual void load_state(const nlohmann::json&) {}

  /// How many optimiser steps the trainer takes on each batch (Free-AT's replays; 1 for every
  /// other hook). Each replay runs every hook again, at its own step.
  virtual std::int64_t replays() const { return 1; }

  virtual void on_epoch_start(StepContext&) {}
  virtual void on_batch(StepContext&, Batch&) {}
  virtual Tensor on_loss(StepContext&, const Batch&, const Tensor& /*logits*/, Tensor loss) {
    return loss;
  }
  virtual void on_step_end(StepContext&) {}

  /// For dither show: inputs the hook trains on besides the batch it hands on (FGSM's
  /// adversarial example when its weight is below 1), after on_batch; undefined when none.
  virtual Tensor extra_inputs(StepContext&, const Batch&) { return Tensor(); }

  double p() const { return p_; }

 protected:
  /// True with probability p for this (step, hook): the per-batch apply decision.
  bool fires(const StepContext& ctx) const;

 private:
  double p_;
};

/// A hook that reads or rewrites the parameter gradients between backward and the optimiser
/// step (gradient noise, Free-AT). Without one, and without clipping or an optimiser that needs
/// every gradient first (SAM), the trainer updates each parameter inside the backward sweep as
/// soon as its gradient is final.
class GradientHook : public Hook {
 public:
  using Hook::Hook;
  virtual void on_gradients(StepContext&) = 0;
};

}  // namespace dither
