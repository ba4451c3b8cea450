#include <gtest/gtest.h>

#include <cmath>

#include "audio_testing.h"
#include "augment/background_noise.h"
#include "augment/speed_perturb.h"
#include "hook_checks.h"

namespace dither {
namespace {

using testing::tone;

const nlohmann::json kLinear = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 10}}};

// Frequency of a tone from its upward zero crossings between the first and the last.
double frequency(const std::vector<float>& x) {
  std::vector<double> ups;
  for (std::size_t t = 1; t < x.size(); ++t) {
    if (x[t - 1] < 0.0f && x[t] >= 0.0f) {
      ups.push_back(static_cast<double>(t - 1) + x[t - 1] / (x[t - 1] - x[t]));
    }
  }
  return static_cast<double>(ups.size() - 1) / (ups.back() - ups.front()) * testing::kRate;
}

TEST(SpeedPerturbTest, LengthRatioEqualsTheFactorWithinOneSample) {
  for (std::int64_t n : {1000, 12345, 16000}) {
    for (double f : {0.8, 0.9, 1.1, 1.25}) {
      const auto y = change_speed(tone(300.0, n), f);
      EXPECT_LE(std::abs(static_cast<double>(y.size()) - static_cast<double>(n) / f), 1.0)
          << n << " " << f;
    }
  }
}

TEST(SpeedPerturbTest, ToneFrequencyMovesByTheFactor) {
  for (double f : {0.9, 1.1}) {
    const std::vector<float> y = change_speed(tone(440.0, 16000), f);
    // The middle, away from the resampler's edges.
    const std::vector<float> middle(y.begin() + 500, y.end() - 500);
    EXPECT_NEAR(frequency(middle), 440.0 * f, 0.5) << f;
  }
  EXPECT_NEAR(frequency(tone(440.0, 16000)), 440.0, 0.05);
}

TEST(SpeedPerturbTest, WaveformsChangeSpeedAndLengthsFollow) {
  testing::HookRig rig(testing::waveform_info(4000), kLinear);
  const Batch batch = testing::tone_batch(rig, 4000, {4000, 3000, 2000, 0});
  const std::vector<double> factors{0.9, 1.0, 1.1, 0.9};
  std::vector<char> changed;
  const Batch out = speed_perturb(batch, factors, changed);
  EXPECT_EQ(changed, (std::vector<char>{1, 0, 1, 0}));
  EXPECT_EQ(out.lengths.ptr()[0], 4000.0f);  // 4444 samples cut to T
  EXPECT_EQ(out.lengths.ptr()[1], 3000.0f);
  EXPECT_EQ(out.lengths.ptr()[2], 1818.0f);  // round(2000 / 1.1)
  EXPECT_EQ(out.lengths.ptr()[3], 0.0f);
  for (std::int64_t t = 0; t < 4000; ++t) {
    ASSERT_EQ(out.inputs.ptr()[4000 + t], batch.inputs.ptr()[4000 + t]);  // factor 1: untouched
    if (t >= 1818) {
      ASSERT_EQ(out.inputs.ptr()[8000 + t], 0.0f);
    }
  }
}

TEST(SpeedPerturbTest, FactorsAreDrawnUniformlyFromTheList) {
  testing::HookRig rig(testing::waveform_info(400), kLinear);
  std::vector<std::int64_t> lengths(300, 400);
  const Batch batch = testing::tone_batch(rig, 400, lengths);
  auto hook = rig.hook({{"type", "speed_perturb"}, {"factors", {0.8, 1.0, 1.0, 1.25}}});
  std::map<float, int> counts;
  for (int step = 0; step < 10; ++step) {
    const Batch out = rig.on_batch(*hook, batch, step);
    for (std::int64_t i = 0; i < 300; ++i) counts[out.lengths.ptr()[i]]++;
  }
  // 320 samples: factor 1.25; 400: factor 1.0 (weight 2) or 0.8 (500 cut to 400).
  const double n = 3000;
  EXPECT_NEAR(counts[320.0f] / n, 0.25, 4 * std::sqrt(0.25 * 0.75 / n));
  EXPECT_NEAR(counts[400.0f] / n, 0.75, 4 * std::sqrt(0.25 * 0.75 / n));
}

TEST(SpeedPerturbTest, SpectrogramsAreRecomputedFromTheResampledSound) {
  testing::HookRig waves_rig(testing::waveform_info(8000), kLinear);
  const Batch waves = testing::tone_batch(waves_rig, 8000, {8000, 6000, 5000, 7000, 4000, 3000});
  auto audio = testing::audio_source(waves, 51);
  testing::HookRig rig(testing::spectrogram_info(40, 51), kLinear);
  rig.set_audio(audio);
  const Batch batch = testing::spectrogram_batch(waves, *audio);
  auto hook = rig.hook({{"type", "speed_perturb"}});
  const Batch out = rig.on_batch(*hook, batch, 3);
  const Batch behind = audio->waveforms(out);
  const Tensor expected = log_mel_features(audio->front_end(), behind.inputs, behind.lengths, 51);
  EXPECT_EQ(out.inputs.to_vector(), expected.to_vector());
  int changed = 0;
  for (std::int64_t i = 0; i < 6; ++i) {
    const float samples = waves.lengths.ptr()[i];
    const float now = behind.lengths.ptr()[i];
    changed += now != samples;
    EXPECT_TRUE(now == samples ||
                std::abs(now - std::min(8000.0f, std::round(samples / 0.9f))) <= 1 ||
                std::abs(now - std::round(samples / 1.1f)) <= 1)
        << now;
    EXPECT_EQ(out.lengths.ptr()[i], std::min(51.0f, 1.0f + std::floor(now / 160.0f)));
  }
  EXPECT_GT(changed, 0);
}

TEST(SpeedPerturbTest, ComposesWithBackgroundNoiseOnSpectrograms) {
  testing::HookRig waves_rig(testing::waveform_info(8000), kLinear);
  const Batch waves = testing::tone_batch(waves_rig, 8000, {8000, 6000, 5000, 7000});
  auto audio = testing::audio_source(waves, 51);
  testing::HookRig rig(testing::spectrogram_info(40, 51), kLinear);
  rig.set_audio(audio);
  auto noise = rig.hook({{"type", "background_noise"}, {"min_snr_db", 10}, {"max_snr_db", 10}});
  auto speed = rig.hook({{"type", "speed_perturb"}, {"factors", {1.1}}});
  const Batch noisy = rig.on_batch(*noise, testing::spectrogram_batch(waves, *audio), 4);
  const Batch noisy_waves = audio->waveforms(noisy);
  const Batch both = rig.on_batch(*speed, noisy, 4);
  std::vector<char> changed;
  const Batch expected = speed_perturb(noisy_waves, std::vector<double>(4, 1.1), changed);
  EXPECT_EQ(audio->waveforms(both).inputs.to_vector(), expected.inputs.to_vector());
  // A batch the hooks did not make reads the dataset's own sound again.
  EXPECT_EQ(audio->waveforms(testing::spectrogram_batch(waves, *audio)).inputs.to_vector(),
            waves.inputs.to_vector());
}

TEST(SpeedPerturbTest, HookChecks) {
  testing::HookRig rig(testing::waveform_info(1000), kLinear);
  const Batch batch = testing::tone_batch(rig, 1000, {1000, 800, 900, 500, 1000});
  const nlohmann::json spec = {{"type", "speed_perturb"}, {"factors", {0.9, 1.1}}};
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_round_trip(rig, {{"type", "speed_perturb"}});
  EXPECT_EQ(rig.hook({{"type", "speed_perturb"}})->to_json().at("factors"),
            nlohmann::json({0.9, 1.0, 1.1}));
  // Factors all 1: nothing to do, the batch is handed on as it came.
  auto same = rig.hook({{"type", "speed_perturb"}, {"factors", {1.0}}});
  EXPECT_EQ(rig.on_batch(*same, batch, 0).inputs.ptr(), batch.inputs.ptr());
  const Batch one = testing::tone_batch(rig, 1000, {700});
  EXPECT_EQ(testing::noised(rig, *rig.hook(spec), one, 1).shape(), (Shape{1, 1000, 1}));
}

TEST(SpeedPerturbTest, RefusedWithoutAudio) {
  testing::HookRig images(testing::image_info(1, 8, 8), kLinear);
  testing::expect_refused(images, {{"type", "speed_perturb"}}, "waveforms");
  testing::HookRig bare(testing::spectrogram_info(40, 51), kLinear);
  testing::expect_refused(bare, {{"type", "speed_perturb"}}, "without the sound");
  testing::HookRig rig(testing::waveform_info(100), kLinear);
  testing::expect_refused(rig, {{"type", "speed_perturb"}, {"factors", {0.9, 9.0}}},
                          "noise[3].factors[1]");
  testing::expect_refused(rig, {{"type", "speed_perturb"}, {"factors", nlohmann::json::array()}},
                          "noise[3].factors");
}

}  // namespace
}  // namespace dither
