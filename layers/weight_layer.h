#pragma once

#include <functional>

#include "core/random.h"
#include "layers/module.h"

namespace dither {

/// The weight one forward uses in place of the stored one, drawn from `stream`; it must be a
/// differentiable function of `weight` with weight's shape, so the gradient reaches the stored
/// weight (W + sigma * eps, a masked W). It must not write into `weight`.
using WeightPerturbation = std::function<Tensor(const Tensor& weight, const RandomStream& stream)>;

/// A layer that is an op of (x, weight, bias): Linear, Conv1d and Conv2d. forward(x) is
/// forward_with(x, forward_weight()); this is the one way a layer runs with a replacement
/// weight, which weight noise (the weight_noise hook) and DropConnect share. Stored weights never
/// hold noise: the optimiser updates the clean weight().
class WeightLayer : public Module {
 public:
  Tensor forward(const Tensor& x) override { return forward_with(x, forward_weight()); }
  /// The layer's op with `weight` (the shape of weight(), else ShapeError) in place of its own;
  /// the bias stays the layer's.
  virtual Tensor forward_with(const Tensor& x, const Tensor& weight) const = 0;
  /// relu(forward(x)), bitwise; a layer with a fused op for it (Conv2d) overrides this, and
  /// Sequential calls it for the layer and the ReLU layer after it.
  virtual Tensor forward_relu(const Tensor& x);

  /// The weight this forward uses: weight() itself, or, while noise_active() and a perturbation
  /// is installed, perturbation(weight(), noise_stream("weight_noise")): noise named by (seed,
  /// layer path, step, pass) like every layer's noise.
  Tensor forward_weight() const;
  /// Installs (or, with an empty function, removes) the perturbation. It is not part of
  /// to_json(): whatever installs it (a hook) is configured, and resolved, on its own.
  void set_weight_perturbation(WeightPerturbation perturbation);
  bool has_weight_perturbation() const { return static_cast<bool>(perturbation_); }

  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  ///< [out]; undefined without a bias

 protected:
  /// Registers "weight" and, when defined, "bias" (in that order: checkpoint keys).
  void register_weight_and_bias(Tensor weight, Tensor bias);

 private:
  Tensor weight_;
  Tensor bias_;
  WeightPerturbation perturbation_;
};

}  // namespace dither
