#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "augment/hook.h"
#include "augment/mixing.h"
#include "augment/strength.h"
#include "layers/sequential.h"

namespace dither {

/// Where Manifold Mixup may mix in `model` by default: position 0 (the input; left out for token
/// ids) and the position after every activation layer that is not the last layer, that is, the
/// input and each hidden layer's output. Position k is the state entering model.layers[k].
std::vector<std::size_t> default_mix_positions(const Sequential& model, bool tokens);

/// {"type": "manifold_mixup", "alpha": 2.0, "layers": null, "mode": "batch", "p": 1,
/// "ramp_epochs": 0}: Manifold Mixup (Verma et al. 2019). Each step picks a position k uniformly
/// from "layers" (k: the hidden state after the first k layers of the model, entering
/// model.layers[k]; 0 is the input; null: default_mix_positions, written out resolved once the
/// hook is set up) and mixes the training forward's hidden state there as mixup does,
/// h~ = lam h_i + (1 - lam) h_j, with lam ~ Beta(alpha, alpha) (alpha 2, the reference's value for
/// hidden states) and the same permutation for the targets. The mix is part of the graph
/// (mix_rows), so gradients flow through both samples. Only the training forward of the step is
/// mixed: the hook installs a Sequential hidden transform in on_batch that acts only on pass 0
/// of this step in training mode, and removes it in on_loss, so extra passes (attacks, second
/// views) and evaluation never see the mix. BatchNorm after the mix position normalises mixed
/// statistics, as in the reference. The reference's choice set is {input, after block 1, after
/// block 2} of a ResNet; dither's default is every hidden layer of a Sequential.
class ManifoldMixupHook : public Hook {
 public:
  /// `layers` empty: the default positions.
  ManifoldMixupHook(Strength alpha, std::vector<std::int64_t> layers, MixMode mode, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "manifold_mixup"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;

  /// The positions the hook chooses from (resolved by setup).
  const std::vector<std::size_t>& positions() const { return positions_; }

 private:
  Strength alpha_;
  std::vector<std::int64_t> layers_;
  MixMode mode_;
  std::vector<std::size_t> positions_;
  Sequential* model_ = nullptr;
  std::unique_ptr<HiddenTransformGuard> guard_;
};

}  // namespace dither
