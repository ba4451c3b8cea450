#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/named_tensors.h"
#include "core/tensor.h"

namespace dither {

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

  void zero_grad();

 protected:
  /// Registers a trained tensor; marks it requires_grad and returns the handle.
  Tensor register_parameter(std::string name, Tensor value);
  /// Registers saved, untrained state.
  Tensor register_buffer(std::string name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> child) {
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
