#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "augment/input_info.h"
#include "core/random.h"
#include "core/tensor.h"
#include "layers/module.h"

namespace dither {

/// What every hook sees for one training step. Hooks replace fields; they never edit a tensor
/// in place (a replaced input is a new leaf: noise is data, not graph).
struct StepContext {
  std::int64_t epoch = 0;        ///< 0-based
  std::int64_t step = 0;         ///< global optimiser step, 0-based
  std::int64_t batch_index = 0;  ///< within the epoch
  std::int64_t total_epochs = 0;
  Tensor inputs;   ///< [B, ...]; on_batch_start may replace (noise, mixing, adversarial example)
  Tensor targets;  ///< class ids [B] or soft targets [B, K]; on_batch_start may replace
  Tensor outputs;  ///< logits, set by the trainer after the forward
  Tensor loss;     ///< scalar; on_loss may replace it with loss + penalty
  bool need_input_grad = false;  ///< set in on_batch_start: inputs.grad() is ready in on_backward
  double extra_loss = 0.0;  ///< loss terms a hook back-propagated itself in on_backward (reported)
  Module* model = nullptr;
  const InputInfo* input = nullptr;
  std::uint64_t seed = 0;
  std::size_t hook_index = 0;  ///< set by the trainer before each hook call
  /// Recorded forward + loss for extra passes (model in its current mode).
  std::function<Tensor(const Tensor& inputs, const Tensor& targets)> loss_of;
  /// dL/dx for (inputs, targets); touches no parameter's grad().
  std::function<Tensor(const Tensor& inputs, const Tensor& targets)> input_gradient;

  /// This hook's own stream for this step, named (seed, purpose, hook_index, step).
  RandomStream stream(std::string_view purpose) const;
};

/// A regularisation hook. Called by the trainer in config order at fixed points of each step:
///   on_batch_start -> forward -> loss -> on_loss -> backward -> on_backward -> step -> on_step_end
/// Invariants: only the trainer calls optimizer.step(); ctx.loss stays a scalar; a hook that
/// needs gradients without side effects uses ctx.input_gradient (or grad()); a hook that switches
/// the model's mode uses EvalModeGuard; no hook writes noise into stored parameters.
/// Evaluation runs with model.eval() under NoGradGuard and calls no hook.
class Hook {
 public:
  /// `p`: probability that the hook acts on a given batch.
  explicit Hook(double p = 1.0) : p_(p) {}
  virtual ~Hook() = default;

  virtual std::string type_name() const = 0;
  /// Full spec with defaults filled in, "type" and "p" included.
  virtual nlohmann::json to_json() const = 0;
  /// Throws ConfigError (naming `path`) when the technique makes no sense for these inputs.
  virtual void check_input(const InputInfo& input, const std::string& path) const;

  virtual void on_epoch_start(StepContext&) {}
  virtual void on_batch_start(StepContext&) {}
  virtual void on_loss(StepContext&) {}
  virtual void on_backward(StepContext&) {}
  virtual void on_step_end(StepContext&) {}

  double p() const { return p_; }

 protected:
  /// True with probability p for this (step, hook): the per-batch apply decision.
  bool fires(const StepContext& ctx) const;

 private:
  double p_;
};

}  // namespace dither
