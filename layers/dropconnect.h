#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "layers/module.h"

namespace dither {

class WeightLayer;

/// DropConnect (Wan et al. 2013) around a linear, conv1d or conv2d layer: while noise_active(),
/// each forward draws one mask M ~ Bernoulli(1 - p) over the layer's weight, shared by every
/// sample of the batch (element i from counter i of noise_stream("dropconnect")),
/// and runs the layer with W * M / (1 - p) through WeightLayer::forward_with; the bias is kept.
/// Otherwise it runs the layer with its plain weights. W is the layer's forward_weight(), so
/// weight noise on the wrapped layer (the weight_noise hook) is masked too.
/// The scaling and the eval rule are the libraries' (Chainer's simplified_dropconnect, torchnlp's
/// and fastai's WeightDrop), not the paper's: Wan et al. infer by moment matching, modelling each
/// unit's pre-activation as N(keep W v, keep (1 - keep) (W * W)(v * v)) and averaging the
/// activation over samples of it. That rule needs the activation that follows and many samples
/// per unit; with inverted scaling the plain weights already give the expected pre-activation,
/// and MC sampling (Module::set_mc_sampling) gives a sampled predictive when one is wanted.
/// The layer's parameters appear as "layer.weight" and "layer.bias".
/// JSON: {"type": "dropconnect", "p": 0.5, "layer": {"type": "linear", "out": 64}}.
class DropConnect : public Module {
 public:
  /// Throws ConfigError unless `layer` is a WeightLayer (linear, conv1d, conv2d) and p in [0, 1].
  explicit DropConnect(std::shared_ptr<Module> layer, double p = 0.5);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "dropconnect"; }
  nlohmann::json to_json() const override;
  std::int64_t flops(const Shape& input) const override;

  double p() const { return p_; }
  const std::shared_ptr<Module>& layer() const { return layer_; }

 private:
  std::shared_ptr<Module> layer_;
  std::shared_ptr<WeightLayer> weighted_;  // layer_, seen as the layer it must be
  double p_;
};

}  // namespace dither
