#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// x + sigma * N(0, 1) per element, clamped to [low, high] (pass -inf, +inf for no clamp), drawn
/// from a counter-based stream: the same at any thread count. The result is a new leaf.
Tensor add_gaussian_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                          float high);

/// Per-sample standard deviation of x [B, ...]: the scale of "relative" noise. With `valid`,
/// sample b's over the first valid[b] elements of its row only (a sequence without its padding).
std::vector<float> sample_std(const Tensor& x, const std::vector<std::int64_t>& valid = {});

/// {"type": "gaussian", "sigma": 0.1, "relative": false, "clip": false, "p": 1, "ramp_epochs": 0}:
/// additive input noise. sigma is in the units the model sees (images in [0, 1]), or, with
/// "relative", a fraction of each sample's own standard deviation (an SNR-like scale that does
/// not depend on the data's units). "clip" clamps the result to the dataset's valid range; it is
/// off by default because clamping biases the noise: on Fashion-MNIST's black background every
/// negative draw is cut to 0, so the mean of a noised background pixel rises from 0 to about
/// 0.4 sigma and the images brighten. On sequences with lengths, only each sample's valid steps
/// are noised and measured (its padding stays as it was and does not shrink the relative
/// scale). Refused for token ids (use token_mask).
class GaussianNoiseHook : public Hook {
 public:
  GaussianNoiseHook(Strength sigma, bool relative, bool clip, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "gaussian"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength sigma_;
  bool relative_;
  bool clip_;
};

/// Throws ConfigError naming `path` when the inputs are token ids: `technique` needs values.
void require_continuous_inputs(const HookSetup& setup, const char* technique);
/// The dataset's valid range when `clip` is on and the data declares one, else (-inf, +inf).
std::pair<float, float> clip_range(const InputInfo& input, bool clip);

}  // namespace dither
