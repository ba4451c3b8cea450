#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "augment/hook.h"

namespace dither {

/// x played `factor` times faster: resampled by libsoxr (SOXR_HQ) as if sampled at factor
/// times the rate, which scales tempo and pitch together (sox's `speed`, Kaldi's and
/// torchaudio's SpeedPerturbation). round(x.size() / factor) samples.
std::vector<float> change_speed(std::span<const float> x, double factor);

/// Waveforms [B, T, 1] with lengths [B]: sample b's valid part played at factors[b], cut to T
/// (a slowed clip that outgrows T loses its end) and padded with zeros; lengths follow. Only
/// the samples whose factor is not 1 are resampled; `changed[b]` says which.
Batch speed_perturb(const Batch& waves, std::span<const double> factors,
                    std::vector<char>& changed);

/// {"type": "speed_perturb", "factors": [0.9, 1.0, 1.1], "p": 1}: speed perturbation (Ko et
/// al. 2015). Each sample of a batch draws one factor uniformly from the list (repeat a value to
/// weight it, as torchaudio's SpeedPerturbation), so with the default a third of the clips keep
/// their speed. On spectrograms the changed clips' features are recomputed from the resampled
/// sound with the dataset's own front end. Differs from ESPnet's keep_length default: the length
/// changes as in Kaldi and torchaudio, and the lengths the model reads follow. Tempo-only
/// stretching (audiomentations' TimeStretch) is a different augmentation. Audio inputs only.
class SpeedPerturbHook : public Hook {
 public:
  SpeedPerturbHook(std::vector<double> factors, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "speed_perturb"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  std::vector<double> factors_;
  std::shared_ptr<AudioSource> audio_;
};

}  // namespace dither
