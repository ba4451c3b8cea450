#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// Which inputs of a node need a gradient in this sweep, so a fused op can skip work
/// (an attack asking only for dL/dx never pays for dL/dW).
class NeedsGrad {
 public:
  NeedsGrad() = default;
  explicit NeedsGrad(std::vector<char> flags) : flags_(std::move(flags)) {}
  bool operator[](std::size_t i) const { return i < flags_.size() && flags_[i] != 0; }

 private:
  std::vector<char> flags_;
};

/// Backward rule of one recorded op.
/// requires: grad_out has the op output's shape.
/// ensures: one entry per input, with that input's shape, or undefined for "no gradient"
/// (allowed wherever needs[i] is false). It returns gradients; only the engine sums them.
using BackwardFn =
    std::function<std::vector<Tensor>(const Tensor& grad_out, const NeedsGrad& needs)>;

/// One op on the tape.
struct Node {
  std::string op;  ///< "mul", "linear": used in error messages
  std::vector<Tensor>
      inputs;  ///< what the op read (undefined where no gradient flows); never its output
  BackwardFn backward;
  ~Node();  ///< frees long chains without recursion
};

/// Attaches `fn` to `out` when grad mode is on and any input requires a gradient; returns `out`.
/// `fn` may capture inputs' detach() or out.detach(), never `out` itself: that is a reference
/// cycle.
Tensor record(std::string_view op, Tensor out, std::vector<Tensor> inputs, BackwardFn fn);

/// d root / d target for each target (leaves or intermediates), touching no grad(). A target the
/// root does not depend on gets zeros. Only the part of the graph leading to the targets runs.
std::vector<Tensor> grad(const Tensor& root, const std::vector<Tensor>& targets);

/// Thread-local switch read by record().
class GradMode {
 public:
  static bool enabled();
  static void set_enabled(bool on);
};

/// RAII: sets grad mode for its scope and restores the previous one.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : prev_(GradMode::enabled()) {
    GradMode::set_enabled(enabled);
  }
  ~GradModeGuard() { GradMode::set_enabled(prev_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool prev_;
};

/// RAII: nothing is recorded in its scope (optimiser steps, evaluation, the sweep itself).
class NoGradGuard : public GradModeGuard {
 public:
  NoGradGuard() : GradModeGuard(false) {}
};

}  // namespace dither
