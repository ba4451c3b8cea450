#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// grad + sigma * N(0, 1) per element, element i of stream.fill_normal's bulk draw: a new
/// tensor, `grad` untouched.
Tensor add_gradient_noise(const Tensor& grad, float sigma, const RandomStream& stream);

/// eta / (1 + t)^gamma: the variance of the gradient noise at global step t (0-based).
double gradient_noise_variance(double eta, double gamma, std::int64_t step);

/// {"type": "gradient_noise", "eta": 0.01, "gamma": 0.55, "p": 1, "ramp_epochs": 0}: annealed
/// Gaussian gradient noise (Neelakantan et al. 2015). After backward, every parameter gradient
/// that is defined is replaced by add_gradient_noise(g, sigma_t), sigma_t^2 =
/// gradient_noise_variance(eta, gamma, t), parameter k (named_parameters() order) drawing from
/// child k of the hook's stream for the step; parameters without a gradient get none. The paper's
/// eta is one of 0.01, 0.3 and 1.0 with gamma 0.55; the default is the smallest, because dither's
/// losses are batch means, so gradient elements are small (often 1e-3) and sigma_0 = sqrt(0.01) =
/// 0.1 already dominates them. The trainer clips gradients after the hooks, so clip_grad_norm /
/// clip_grad_value also bound the noise. "ramp_epochs" scales eta linearly from 0; "p" < 1 leaves a
/// batch's gradients clean with probability 1 - p.
class GradientNoiseHook : public GradientHook {
 public:
  GradientNoiseHook(Strength eta, double gamma, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "gradient_noise"; }
  nlohmann::json to_json() const override;
  /// Refuses a model without parameters, naming setup.path.
  void setup(const HookSetup& setup) override;
  void on_gradients(StepContext& ctx) override;

 private:
  Strength eta_;
  double gamma_;
};

}  // namespace dither
