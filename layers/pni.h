#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "layers/module.h"

namespace dither {

class WeightLayer;

/// eta ~ N(0, std(W)^2) with W's shape: PNI's noise, a constant (no gradient reaches it). std(W)
/// is the unbiased std of every element of `weight` (torch's weight.std(), detached), 0 for a
/// one-element weight; element k is element k of stream.fill_normal's bulk draw.
Tensor pni_noise(const Tensor& weight, const RandomStream& stream);

/// Parametric Noise Injection (He, Rakin, Fan, CVPR 2019) around a linear, conv1d or conv2d
/// layer: while noise_active(), each forward runs the layer with W' = W + a * eta, eta =
/// pni_noise(W, noise_stream("pni")) drawn per forward, and `a` a trained parameter (named "a",
/// initial `init`): one scalar (granularity "layer", shape [1]) or one per output channel
/// ("channel", shape [out, 1, ...]). dW'/dW = 1 and dW'/da = eta. W is the layer's
/// forward_weight(), so weight noise from the weight_noise hook is added first. The bias gets no
/// noise, as in the reference code (elliothe/CVPR_2019_PNI, noise_layer.py).
/// Eval: the plain weights, unless `at_eval`, which keeps the noise on at test time as the
/// reference does (attack such a model with EOT). Reports "pni_a": the mean of |a| (the sign of a
/// is immaterial: eta is symmetric).
/// Weight decay: dither's optimisers have no parameter groups, so the optimiser's weight_decay
/// applies to `a` too (the reference trains `a` with weight decay 0); use a small decay.
/// JSON: {"type": "pni", "granularity": "layer", "init": 0.25, "at_eval": false,
///        "layer": {"type": "linear", "out": 64}}.
class Pni : public Module {
 public:
  /// Throws ConfigError unless `layer` is a WeightLayer, granularity is "layer" or "channel" and
  /// init >= 0.
  Pni(std::shared_ptr<Module> layer, std::string granularity = "layer", double init = 0.25,
      bool at_eval = false);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "pni"; }
  nlohmann::json to_json() const override;
  std::int64_t flops(const Shape& input) const override;
  std::vector<std::pair<std::string, double>> report() const override;
  bool own_noise_in_eval() const override { return at_eval_; }

  const Tensor& a() const { return a_; }
  const std::shared_ptr<Module>& layer() const { return layer_; }

 private:
  std::shared_ptr<Module> layer_;
  std::shared_ptr<WeightLayer> weighted_;  // layer_, seen as the layer it must be
  std::string granularity_;
  double init_;
  bool at_eval_;
  Tensor a_;
};

}  // namespace dither
