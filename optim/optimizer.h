#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/named_tensors.h"
#include "core/tensor.h"

namespace dither {

/// An optimiser's saved state: per-parameter tensors named "<param index>.<slot>"
/// ("0.exp_avg") and its scalars ({"type", "lr", "steps"}).
struct OptimizerState {
  NamedTensors tensors;
  nlohmann::json scalars;
};

class PerParameterOptimizer;

/// Updates parameters in place from their gradients. Per-parameter state (momentum buffers,
/// moment estimates, step counts) lives in vectors indexed like the parameter list, so it
/// survives copies and moves of the tensors and saves under stable names.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every parameter that has a gradient; parameters whose grad() is undefined
  /// are skipped and their state is left as it was. Runs under NoGradGuard.
  virtual void step() = 0;
  /// Recomputes every parameter's gradient at the parameters' current values (the step's
  /// batch, forward, loss and backward again), for optimisers that look at more than one point.
  using Regradient = std::function<void()>;
  /// The trainer's step: step() for an optimiser that needs one gradient; a wrapper such as SAM
  /// moves the weights, calls `regradient` and steps with the new gradient.
  virtual void step_with(const Regradient& regradient) {
    (void)regradient;
    step();
  }
  /// The JSON spec with every option filled in ({"type": "sgd", "lr": 0.1, ...}).
  virtual nlohmann::json to_json() const = 0;

  /// Makes every parameter's grad() undefined.
  void zero_grad();
  double lr() const { return lr_; }
  /// The lr the optimiser was built with: schedules start from it (torch's initial_lr), so a
  /// schedule built after another has moved the lr still sees the configured one.
  double initial_lr() const { return initial_lr_; }
  /// Used by schedules; throws ConfigError unless lr is finite and >= 0.
  void set_lr(double lr);
  const std::vector<Tensor>& params() const { return params_; }
  const std::string& type() const { return type_; }
  /// This optimiser, when its step() updates each parameter from that parameter's gradient and
  /// state alone (SGD, Adam, AdamW, RMSprop); null when it needs every gradient first (SAM).
  virtual PerParameterOptimizer* per_parameter() { return nullptr; }

  /// Copies of the state: the current lr, per-parameter step counts and slot tensors.
  virtual OptimizerState state() const;
  /// Restores state(); throws ConfigError on a different optimiser type, a missing, unexpected
  /// or mis-shaped entry, and changes nothing when it throws.
  virtual void load_state(const OptimizerState& state);

 protected:
  /// Throws ConfigError naming `type` on an undefined or repeated parameter, an empty list or a
  /// bad lr.
  Optimizer(std::string type, std::vector<Tensor> params, double lr);

  /// Declares a per-parameter state tensor (shaped like the parameter, zero before the
  /// parameter's first update); returns its index into ParamUpdate::slots.
  std::size_t add_slot(std::string name);

  /// What one parameter's update sees.
  struct ParamUpdate {
    std::int64_t step;   ///< 1 on this parameter's first update
    std::int64_t numel;  ///< elements of param, grad and each slot
    float* param;
    const float* grad;
    std::vector<float*> slots;  ///< in add_slot() order
  };
  /// Parameter i's update: counts its step and creates its slots on its first update. False,
  /// and nothing changed, when its grad() is undefined.
  bool prepare_update(std::size_t i, ParamUpdate& u);

  /// from + weight * (to - from), evaluated as torch's lerp does (exact at both ends), so
  /// moving averages round like the reference.
  static float lerp(float from, float to, float weight) {
    return weight < 0.5f ? from + weight * (to - from) : to - (to - from) * (1.0f - weight);
  }

  /// ConfigError "<type>: <what> must be >= 0, got <value>" unless value >= 0 (and finite).
  void check_non_negative(const char* what, double value) const;
  /// ConfigError "<type>: <what> must be in [0, 1), got <value>" unless 0 <= value < 1.
  void check_fraction(const char* what, double value) const;

 private:
  std::string type_;
  std::vector<Tensor> params_;
  double lr_;
  double initial_lr_;
  std::vector<std::int64_t> steps_;         // per parameter: updates so far
  std::vector<std::string> slot_names_;     // per slot
  std::vector<std::vector<Tensor>> slots_;  // [slot][param]; undefined before the first update
};

/// An optimiser whose step() is update() of each parameter in turn, so that a parameter can be
/// stepped on its own as soon as its gradient is final (the trainer does it inside the backward
/// sweep, while the gradient is still in cache).
class PerParameterOptimizer : public Optimizer {
 public:
  void step() final;
  /// Parameter i's part of step(), bitwise the same; nothing when its grad() is undefined.
  void step_parameter(std::size_t i);
  PerParameterOptimizer* per_parameter() final { return this; }

 protected:
  using Optimizer::Optimizer;
  /// One parameter's update, run under NoGradGuard.
  virtual void update(const ParamUpdate& u) = 0;
};

}  // namespace dither
