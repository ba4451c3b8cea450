#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "core/audio/fft.h"

namespace dither {

/// Where the noise comes from: 1/f^a power spectra (white a = 0, pink a = 1, brown a = 2) or
/// babble, a sum of other training utterances.
enum class NoiseSource { white, pink, brown, babble };

/// n = fft.size() samples of noise whose power falls as 1/f^exponent: independent complex
/// normals on every bin k >= 1 (stream.fill_normal), scaled by k^(-exponent / 2), the DC bin 0,
/// then FFTW's inverse real FFT. Gaussian, stationary and circular; the caller scales it.
std::vector<float> coloured_noise(const RealFft& fft, double exponent, const RandomStream& stream);

/// signal + a * noise with a = rms(signal) / (rms(noise) 10^(snr_db / 20)) over the whole span
/// (pass only the valid part), so that 10 log10(P_signal / P_scaled noise) = snr_db. A silent
/// signal or silent noise (RMS < 1e-9) gets no noise, as audiomentations: the output is the
/// signal, finite.
std::vector<float> mix_at_snr(std::span<const float> signal, std::span<const float> noise,
                              double snr_db);

/// {"type": "background_noise", "source": "white", "min_snr_db": 3, "max_snr_db": 30,
/// "babble_size": 5, "babble_pool": 500, "p": 1}: adds noise to each clip's valid part at an SNR
/// drawn per clip uniformly in dB from [min_snr_db, max_snr_db] (audiomentations'
/// AddBackgroundNoise defaults), measured on the valid part only (not over padding, the
/// pitfall of RMS over the padded tensor); padding stays silent. "babble" sums babble_size
/// clips drawn from the first babble_pool training clips, each started at a random offset and
/// repeated to cover the clip; the others are coloured Gaussian noise. No clipping after the
/// sum (as audiomentations). On spectrograms the features are recomputed from the noisy sound.
/// Differs from audiomentations' p = 0.5 default: p defaults to 1 as every dither hook.
/// Audio inputs only.
class BackgroundNoiseHook : public Hook {
 public:
  BackgroundNoiseHook(NoiseSource source, double min_snr_db, double max_snr_db,
                      std::int64_t babble_size, std::int64_t babble_pool, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "background_noise"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

  /// The SNR in dB that sample b draws from the hook's stream of a step.
  double snr_db(const RandomStream& stream, std::int64_t b) const;

 private:
  std::vector<float> babble(std::int64_t n, const RandomStream& stream) const;

  NoiseSource source_;
  double min_snr_db_;
  double max_snr_db_;
  std::int64_t babble_size_;
  std::int64_t babble_pool_;
  std::shared_ptr<AudioSource> audio_;
  std::shared_ptr<RealFft> fft_;
  Batch pool_;  // babble: training clips [n, T, 1] and their lengths
};

}  // namespace dither
