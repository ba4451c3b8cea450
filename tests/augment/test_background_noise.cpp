#include <gtest/gtest.h>

#include <cmath>

#include "audio_testing.h"
#include "augment/background_noise.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 10}}};

double power(const float* x, std::int64_t n) {
  double sq = 0.0;
  for (std::int64_t t = 0; t < n; ++t) sq += static_cast<double>(x[t]) * x[t];
  return sq / static_cast<double>(n);
}

// 10 log10(P(clean) / P(noisy - clean)) over the first n samples.
double measured_snr(const float* clean, const float* noisy, std::int64_t n) {
  std::vector<float> diff(static_cast<std::size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) diff[static_cast<std::size_t>(t)] = noisy[t] - clean[t];
  return 10.0 * std::log10(power(clean, n) / power(diff.data(), n));
}

// Least-squares slope of log power against log frequency over bins [lo, hi), averaged over
// `draws` periodograms of n-sample noise.
double spectral_slope(double exponent, std::int64_t n, int draws, std::int64_t lo,
                      std::int64_t hi) {
  const RealFft fft(n);
  std::vector<double> mean(static_cast<std::size_t>(fft.bins()), 0.0);
  std::vector<std::complex<float>> spectrum(static_cast<std::size_t>(fft.bins()));
  for (int d = 0; d < draws; ++d) {
    const std::vector<float> x =
        coloured_noise(fft, exponent, RandomStream(4, "slope", {static_cast<std::uint64_t>(d)}));
    fft.forward(x, spectrum);
    for (std::size_t k = 0; k < spectrum.size(); ++k) mean[k] += std::norm(spectrum[k]);
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double m = static_cast<double>(hi - lo);
  for (std::int64_t k = lo; k < hi; ++k) {
    const double x = std::log(static_cast<double>(k));
    const double y = std::log(mean[static_cast<std::size_t>(k)]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

TEST(BackgroundNoiseTest, PinkAndBrownSpectraFallAsOneOverFToTheExponent) {
  EXPECT_NEAR(spectral_slope(0.0, 4096, 100, 4, 2048), 0.0, 0.05);
  EXPECT_NEAR(spectral_slope(1.0, 4096, 100, 4, 2048), -1.0, 0.05);
  EXPECT_NEAR(spectral_slope(2.0, 4096, 100, 4, 2048), -2.0, 0.05);
}

TEST(BackgroundNoiseTest, MixAtSnrHitsTheSnrAndLeavesSilenceFinite) {
  const std::vector<float> clean = testing::tone(440.0, 3000);
  const RealFft fft(3000);
  const std::vector<float> noise = coloured_noise(fft, 1.0, RandomStream(1, "n"));
  for (double snr : {-5.0, 0.0, 7.5, 30.0}) {
    const std::vector<float> y = mix_at_snr(clean, noise, snr);
    EXPECT_NEAR(measured_snr(clean.data(), y.data(), 3000), snr, 0.01);
  }
  const std::vector<float> silent(3000, 0.0f);
  const std::vector<float> y = mix_at_snr(silent, noise, 10.0);
  for (float v : y) ASSERT_EQ(v, 0.0f);
  EXPECT_TRUE(mix_at_snr({}, noise, 10.0).empty());
}

TEST(BackgroundNoiseTest, HookMixesAtTheDrawnSnrOnTheValidPartOnly) {
  for (const char* source : {"white", "pink", "brown", "babble"}) {
    testing::HookRig rig(testing::waveform_info(2000), kLinear);
    const Batch batch = testing::tone_batch(rig, 2000, {2000, 1500, 700, 1999, 0, 1200});
    rig.set_training_inputs(batch.inputs);
    auto hook = rig.hook({{"type", "background_noise"},
                          {"source", source},
                          {"min_snr_db", 0},
                          {"max_snr_db", 20},
                          {"babble_size", 3}});
    const auto& noise = dynamic_cast<const BackgroundNoiseHook&>(*hook);
    for (int step = 0; step < 5; ++step) {
      const Batch out = rig.on_batch(*hook, batch, step);
      const RandomStream stream = rig.context(step).stream("background_noise");
      for (std::int64_t i = 0; i < 6; ++i) {
        const auto n = static_cast<std::int64_t>(batch.lengths.ptr()[i]);
        const float* clean = batch.inputs.ptr() + i * 2000;
        const float* noisy = out.inputs.ptr() + i * 2000;
        for (std::int64_t t = n; t < 2000; ++t) ASSERT_EQ(noisy[t], 0.0f) << source;
        if (n == 0) continue;
        EXPECT_NEAR(measured_snr(clean, noisy, n), noise.snr_db(stream, i), 0.1)
            << source << " " << i;
      }
    }
  }
}

TEST(BackgroundNoiseTest, SnrIsUniformInDecibels) {
  testing::HookRig rig(testing::waveform_info(10), kLinear);
  auto hook = rig.hook({{"type", "background_noise"}, {"min_snr_db", 5}, {"max_snr_db", 25}});
  const auto& noise = dynamic_cast<const BackgroundNoiseHook&>(*hook);
  const RandomStream stream(3, "snr");
  const int n = 20000;
  double sum = 0.0, sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double s = noise.snr_db(stream, i);
    ASSERT_GE(s, 5.0);
    ASSERT_LT(s, 25.0);
    sum += s;
    sq += s * s;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 15.0, 5.0 * std::sqrt(400.0 / 12.0 / n));
  EXPECT_NEAR(sq / n - mean * mean, 400.0 / 12.0, 1.0);
}

TEST(BackgroundNoiseTest, SilentInputStaysFiniteAndSilent) {
  testing::HookRig rig(testing::waveform_info(500), kLinear);
  Batch batch = rig.batch(Tensor::zeros({3, 500, 1}), Tensor::zeros({3}));
  batch.lengths = Tensor::full({3}, 500.0f);
  for (const char* source : {"white", "brown"}) {
    auto hook = rig.hook({{"type", "background_noise"}, {"source", source}});
    const Batch out = rig.on_batch(*hook, batch, 0);
    for (float v : out.inputs.to_vector()) ASSERT_EQ(v, 0.0f);
  }
}

TEST(BackgroundNoiseTest, SpectrogramsAreRecomputedFromTheNoisySound) {
  testing::HookRig waves_rig(testing::waveform_info(4000), kLinear);
  const Batch waves = testing::tone_batch(waves_rig, 4000, {4000, 3000, 2500});
  auto audio = testing::audio_source(waves, 26);
  testing::HookRig rig(testing::spectrogram_info(40, 26), kLinear);
  rig.set_audio(audio);
  const Batch batch = testing::spectrogram_batch(waves, *audio);
  auto hook = rig.hook({{"type", "background_noise"}, {"source", "babble"}, {"babble_size", 2}});
  const Batch out = rig.on_batch(*hook, batch, 1);
  const Batch behind = audio->waveforms(out);
  EXPECT_NE(behind.inputs.to_vector(), waves.inputs.to_vector());
  EXPECT_EQ(out.inputs.to_vector(),
            log_mel_features(audio->front_end(), behind.inputs, behind.lengths, 26).to_vector());
  EXPECT_EQ(out.lengths.to_vector(), batch.lengths.to_vector());
}

TEST(BackgroundNoiseTest, HookChecks) {
  testing::HookRig rig(testing::waveform_info(1000), kLinear);
  const Batch batch = testing::tone_batch(rig, 1000, {1000, 800, 900, 500, 1000});
  rig.set_training_inputs(batch.inputs);
  for (const char* source : {"pink", "babble"}) {
    const nlohmann::json spec = {{"type", "background_noise"}, {"source", source}};
    testing::expect_deterministic(rig, spec, batch);
    testing::expect_round_trip(rig, spec);
  }
  testing::expect_fires_at_rate_p(rig, {{"type", "background_noise"}}, batch);
  EXPECT_EQ(rig.hook({{"type", "background_noise"}})->to_json().at("min_snr_db"), 3.0);
  const Batch one = testing::tone_batch(rig, 1000, {700});
  EXPECT_EQ(testing::noised(rig, *rig.hook({{"type", "background_noise"}}), one, 1).shape(),
            (Shape{1, 1000, 1}));
}

TEST(BackgroundNoiseTest, RefusedWithoutAudio) {
  testing::HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(table, {{"type", "background_noise"}}, "gaussian");
  testing::HookRig bare(testing::spectrogram_info(40, 26), kLinear);
  testing::expect_refused(bare, {{"type", "background_noise"}}, "without the sound");
  testing::HookRig rig(testing::waveform_info(100), kLinear);
  testing::expect_refused(rig,
                          {{"type", "background_noise"}, {"min_snr_db", 10}, {"max_snr_db", 5}},
                          "noise[3].max_snr_db");
  testing::expect_refused(rig, {{"type", "background_noise"}, {"source", "violet"}},
                          "noise[3].source");
}

}  // namespace
}  // namespace dither
