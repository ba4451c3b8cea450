#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/named_tensors.h"
#include "core/random.h"
#include "core/tensor.h"

namespace dither {

/// Which forward a noise layer is drawing for: a stream is named by (seed, module path, purpose,
/// step, pass), never by a running position, so an evaluation, a Monte Carlo sample or an attack
/// pass in the middle of training cannot shift what training draws next.
struct NoiseClock {
  std::uint64_t seed = 0;
  std::int64_t step = 0;   ///< the optimiser step being computed
  std::uint64_t pass = 0;  ///< kTrainPass, an extra pass of the step, or an evaluation pass
};

/// The training forward of a step is pass 0; a step's extra passes (adversarial examples, a
/// second dropout view) count up from 1; evaluation and Monte Carlo samples use passes from
/// kEvalPass on.
inline constexpr std::uint64_t kTrainPass = 0;
inline constexpr std::uint64_t kEvalPass = std::uint64_t{1} << 40;

/// Base of every layer and model. Owns parameters (trained), buffers (state that is saved but
/// not trained, e.g. BatchNorm's running statistics) and child modules, all in registration
/// order, which fixes checkpoint keys and optimiser state.
class Module {
 public:
  virtual ~Module() = default;

  /// x: [N, ...] -> [N, ...]; the batch is always the first axis.
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }

  /// The JSON type name ("linear") of a layer; "sequential" and friends for containers.
  virtual std::string type_name() const = 0;
  /// The layer's JSON spec with every option filled in ({"type": "linear", "out": 10, ...}).
  virtual nlohmann::json to_json() const;
  /// Multiply-adds of one forward for one sample of shape `input` (no batch axis); 0 if none.
  virtual std::int64_t flops(const Shape& input) const;
  /// A term this module adds to the training loss (Concrete Dropout's regulariser), a scalar
  /// recorded for backward; undefined when none. Children are not included: see
  /// total_regularization().
  virtual Tensor regularization() const { return Tensor(); }
  /// Named scalars this module reports once per epoch (a learned noise strength), without its
  /// children's: see module_reports().
  virtual std::vector<std::pair<std::string, double>> report() const { return {}; }
  /// Whether this module itself, not its children, draws noise in plain eval mode.
  virtual bool own_noise_in_eval() const { return false; }

  /// Parameters of this module and its children, registration order, dotted names ("0.weight").
  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  NamedTensors named_buffers() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }

  /// Parameters then buffers, copied out: what a checkpoint stores.
  NamedTensors state_dict() const;
  /// Copies values in; throws ConfigError naming a missing, unexpected or mis-shaped entry.
  void load_state_dict(const NamedTensors& state);

  /// Training mode (default) or evaluation mode, for this module and every child.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  /// Monte Carlo sampling: noise layers stay stochastic while everything else (BatchNorm
  /// included) follows the train/eval mode. Recursive, like train().
  void set_mc_sampling(bool on);
  bool mc_sampling() const { return mc_sampling_; }
  /// True where a noise layer should draw noise: in training, or in eval under MC sampling.
  bool noise_active() const { return training_ || mc_sampling_; }
  /// Whether this module or a child draws noise in eval mode without MC sampling (PNI with
  /// `at_eval`): such a model's evaluation depends on the noise clock.
  bool draws_noise_in_eval() const;

  void zero_grad();

  /// Names this module and its children for their random streams: children get
  /// "<path>.<child name>" (build_model names the model "model", so a layer is "model.3").
  void set_path(const std::string& path);
  const std::string& path() const { return path_; }
  /// Sets the clock noise layers read, for this module and every child (the trainer sets it
  /// before every forward).
  void set_noise_clock(const NoiseClock& clock);
  const NoiseClock& noise_clock() const { return clock_; }
  /// This module's stream for `purpose` at the current clock: (seed, path/purpose, step, pass).
  RandomStream noise_stream(std::string_view purpose) const;
  /// Valid steps of each sample of the next forward ([N] floats holding integers; undefined:
  /// every step is valid), for this module and every child: what length-aware layers (LSTM,
  /// mean_over_time) read. Set around a forward by SequenceLengthsGuard.
  void set_sequence_lengths(const Tensor& lengths);
  const Tensor& sequence_lengths() const { return lengths_; }

 protected:
  /// Registers a trained tensor; marks it requires_grad and returns the handle.
  Tensor register_parameter(std::string name, Tensor value);
  /// Registers saved, untrained state.
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
    child->set_path(path_.empty() ? name : path_ + "." + name);
    child->set_noise_clock(clock_);
    children_.emplace_back(std::move(name), child);
    return child;
  }

 private:
  void collect(const std::string& prefix, NamedTensors& out, bool buffers) const;
  NamedTensors params_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  bool mc_sampling_ = false;
  std::string path_;
  NoiseClock clock_;
  Tensor lengths_;
};

/// The sum of regularization() over `module` and every module below it, a scalar; undefined when
/// none has one. The trainer adds it to every training loss.
Tensor total_regularization(const Module& module);

/// report() of `module` and every module below it, depth first, each name prefixed by the
/// reporting module's path: "model.3.pni_a".
std::vector<std::pair<std::string, double>> module_reports(const Module& module);

/// RAII: copies every buffer of a module (BatchNorm's running statistics) and writes the copies
/// back on exit, so a forward in training mode run for an attack or a second view leaves no trace.
class BufferSnapshot {
 public:
  explicit BufferSnapshot(const Module& module);
  ~BufferSnapshot();
  BufferSnapshot(const BufferSnapshot&) = delete;
  BufferSnapshot& operator=(const BufferSnapshot&) = delete;

 private:
  NamedTensors live_;
  std::vector<Tensor> saved_;
};

/// RAII: sets a module's train, MC-sampling and noise-clock state and restores all three on exit.
class ModeGuard {
 public:
  ModeGuard(Module& module, bool training, bool mc_sampling, const NoiseClock& clock);
  ~ModeGuard();
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  Module& module_;
  bool was_training_;
  bool was_mc_;
  NoiseClock clock_;
};

/// RAII: sets a module's per-sample sequence lengths (see Module::set_sequence_lengths) and
/// restores the previous ones on exit. The trainer, evaluate() and every extra pass's caller put
/// one around the forwards of a batch, so a padded sequence is read only up to its length.
class SequenceLengthsGuard {
 public:
  SequenceLengthsGuard(Module& module, const Tensor& lengths);
  ~SequenceLengthsGuard();
  SequenceLengthsGuard(const SequenceLengthsGuard&) = delete;
  SequenceLengthsGuard& operator=(const SequenceLengthsGuard&) = delete;

 private:
  Module& module_;
  Tensor previous_;
};

/// RAII: puts a module in eval mode and restores its previous mode (attacks, evaluation).
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  Module& module_;
  bool was_training_;
};

}  // namespace dither
