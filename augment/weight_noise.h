#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// W + s * eps, eps ~ N(0, 1) per element (element i of stream.fill_normal's bulk draw), with
/// s = sigma, or s = sigma * std(W) when `relative` (the population std over the whole tensor).
/// A differentiable function of W: dW'/dW = 1, and the noise, and with `relative` std(W) too,
/// are constants (detached), so the gradient reaching W is the gradient at W' unchanged. Returns
/// `weight` itself when s = 0. The stored weight is never written.
Tensor perturb_weight(const Tensor& weight, float sigma, bool relative, const RandomStream& stream);

/// {"type": "weight_noise", "sigma": 0.01, "relative": false, "layers": "all", "p": 1,
///  "ramp_epochs": 0}: Gaussian noise on the weights of linear, conv1d and conv2d layers in the
/// forward only. Every training forward runs each selected layer with perturb_weight(W), drawn
/// from the layer's own stream (seed, layer path, step, pass), so extra passes draw other noise
/// and evaluation none; the optimiser updates the clean W. "layers" is "all" (every linear and
/// conv layer, those inside residual blocks and DropConnect included) or a list of module paths
/// (["model.0", "model.3"]). Biases get no noise. With "p" < 1 a batch trains without noise
/// with probability 1 - p; "ramp_epochs" raises sigma linearly from 0.
/// Anchors: there is no PyTorch or Keras layer; torchrl's NoisyLinear and catalyst's learn sigma
/// and perturb the bias too. This is the fixed-sigma weight noise of Graves (2011) and of
/// Parametric Noise Injection without the learned scale; "relative" is PNI's std(W) scale.
/// Monte Carlo evaluation (Module::set_mc_sampling) keeps the noise on at the full sigma, as
/// it keeps DropConnect's masks.
class WeightNoiseHook : public Hook {
 public:
  /// `layers` empty: every linear and conv layer.
  WeightNoiseHook(Strength sigma, bool relative, std::vector<std::string> layers, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "weight_noise"; }
  nlohmann::json to_json() const override;
  /// Installs the perturbation on the selected layers. ConfigError naming the path when a listed
  /// path is not a linear or conv layer, when no layer matches, or when a layer already has
  /// weight noise from another entry.
  void setup(const HookSetup& setup) override;
  /// Sets this step's sigma (0 when the batch is not picked by p).
  void on_batch(StepContext& ctx, Batch& batch) override;
  /// Puts the full sigma back: what Monte Carlo evaluation between steps uses.
  void on_step_end(StepContext& ctx) override;

 private:
  Strength sigma_;
  bool relative_;
  std::vector<std::string> layers_;
  std::shared_ptr<double> current_;  // read by the installed perturbations
};

}  // namespace dither
