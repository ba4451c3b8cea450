#pragma once

#include <memory>
#include <vector>

#include "optim/optimizer.h"

namespace dither {

/// e = rho * g / ||g|| (SAM), or, when `adaptive`, e = rho * |w|^2 g / || |w| g || (ASAM,
/// Kwon et al. 2021, with T_w = |w| as the reference sam.py): the perturbation of each parameter
/// towards higher loss, ||.|| the l2 norm over every parameter with a gradient (an undefined
/// gradient counts as 0; an undefined e entry is returned for it). ||g|| = 0 gives e = 0.
std::vector<Tensor> sam_perturbation(const std::vector<Tensor>& params, double rho, bool adaptive);
/// rho / ||g|| (or rho / || |w| g ||), 0 when the norm is 0: the factor of sam_perturbation.
/// The norm is summed in double in fixed chunks, so it does not depend on the thread count.
double sam_scale(const std::vector<Tensor>& params, double rho, bool adaptive);

/// Sharpness-Aware Minimization (Foret et al. 2021) over any optimiser: step_with(regradient)
/// takes the gradient g at w, moves to w + sam_perturbation(g), recomputes the gradient there
/// (the trainer's regradient runs the same batch with the same noise, BatchNorm statistics
/// restored afterwards, so only the first pass updates them), puts w back bitwise and steps the
/// base optimiser with the second gradient. Twice the compute of a plain step. step() without a
/// regradient is the base optimiser's step. The lr is the base's (schedules drive it through
/// this wrapper). State: the base's, under {"type": "sam", "base": ...}.
/// JSON: {"type": "sam", "rho": 0.05, "adaptive": false, "base": {"type": "sgd", ...}}; rho 0.05
/// is the paper's default for SAM, ASAM uses larger rho (0.5 to 2 in Kwon et al.).
class Sam final : public Optimizer {
 public:
  /// Throws ConfigError unless rho >= 0; `base` must be built on the same parameters.
  Sam(std::unique_ptr<Optimizer> base, double rho = 0.05, bool adaptive = false);

  void step() override;
  void step_with(const Regradient& regradient) override;
  nlohmann::json to_json() const override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

  double rho() const { return rho_; }
  bool adaptive() const { return adaptive_; }
  Optimizer& base() { return *base_; }

 private:
  std::unique_ptr<Optimizer> base_;
  double rho_;
  bool adaptive_;
  std::vector<Tensor> saved_;  // w during the second pass, reused from step to step
};

}  // namespace dither
