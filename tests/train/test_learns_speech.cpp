#include <gtest/gtest.h>

#include <string>

#include "run_testing.h"
#include "train/run.h"

namespace dither {
namespace {

// A few seconds of spoken digits: 6 voice variants x 3 accents x 10 digits x 2, two variants
// (120 clips) held out as unseen test speakers; 20 log-mel bands every 20 ms and a one-layer
// CNN. Chance is 0.1; without a hook it reaches 0.99.
nlohmann::json speech_config(const testing::TempDir& dir, const nlohmann::json& noise) {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 42,
    "data": {"name": "spoken_digits", "voices": ["en", "en-us", "en-gb-x-rp"],
             "variants": ["m1", "m3", "m5", "f1", "f2", "f4"], "repeats": 2,
             "test_split": 0.34, "validation_split": 0, "max_seconds": 0.8,
             "n_mels": 20, "n_fft": 512, "hop_length": 320},
    "model": {"layers": [
      {"type": "batch_norm2d"},
      {"type": "conv2d", "out": 8, "kernel": 3, "padding": 1}, {"type": "batch_norm2d"},
      {"type": "relu"}, {"type": "max_pool2d", "kernel": 2},
      {"type": "flatten"}, {"type": "linear", "out": 10}
    ]},
    "optimizer": {"type": "adam", "lr": 0.003},
    "train": {"epochs": 10, "batch_size": 16}
  })");
  config["data"]["cache"] = (dir / "cache").string();
  config["noise"] = noise;
  return config;
}

double test_accuracy(const nlohmann::json& noise, const std::string& tag) {
  const testing::TempDir dir("learns-" + tag);
  return testing::fit(speech_config(dir, noise), dir).test.accuracy;
}

// Measured here (seed 42): spec_augment 0.925, background_noise 0.992, speed_perturb 1.000;
// 0.992 without a hook. The floor is well above chance (0.1) and leaves room for another BLAS,
// not for a hook that destroys the sound.
TEST(LearnsWithSpeechNoiseTest, SpokenDigitsCnnWithSpecAugment) {
  EXPECT_GE(
      test_accuracy(
          {{{"type", "spec_augment"}, {"freq_width", 6}, {"time_width", 15}, {"time_warp", 4}}},
          "spec"),
      0.4);
}

TEST(LearnsWithSpeechNoiseTest, SpokenDigitsCnnWithBackgroundNoise) {
  EXPECT_GE(test_accuracy({{{"type", "background_noise"}, {"source", "pink"}, {"min_snr_db", 10}}},
                          "noise"),
            0.4);
}

TEST(LearnsWithSpeechNoiseTest, SpokenDigitsCnnWithSpeedPerturbation) {
  EXPECT_GE(test_accuracy({{{"type", "speed_perturb"}}}, "speed"), 0.4);
}

}  // namespace
}  // namespace dither
