#include <gtest/gtest.h>

#include <set>

#include "core/audio/audio_source.h"
#include "core/error.h"
#include "core/random.h"
#include "run_testing.h"
#include "train/atomic_file.h"
#include "train/data/registry.h"
#include "train/data/spoken_digits.h"

namespace dither {
namespace {

using testing::TempDir;

SpokenDigitsOptions small() {
  SpokenDigitsOptions o;
  o.voices = {"en", "en-us"};
  o.variants = {"m1", "m3", "f2", "f4"};
  o.repeats = 1;
  return o;
}

const SpokenClips& small_clips() {
  static const SpokenClips clips = synthesize_spoken_digits(small(), "data");
  return clips;
}

TEST(SpokenDigitsTest, EverySpeakerSaysEveryDigitWithinTheMaximumLength) {
  const SpokenClips& c = small_clips();
  ASSERT_EQ(c.audio.size(), 2 * 4 * 10);
  std::set<std::tuple<int, int, int>> seen;
  for (std::int64_t k = 0; k < c.audio.size(); ++k) {
    const auto i = static_cast<std::size_t>(k);
    seen.insert({c.voices[i], c.variants[i], c.labels[i]});
    // A word lasts between 0.15 s and the 1 s cap at 16 kHz.
    EXPECT_GT(c.audio.length(k), 2400) << k;
    EXPECT_LE(c.audio.length(k), 16000) << k;
  }
  EXPECT_EQ(seen.size(), 80u);
}

TEST(SpokenDigitsTest, CacheRoundTripIsExactAndIsReadBack) {
  TempDir dir("spoken");
  const SpokenDigitsOptions o = small();
  const SpokenClips first = load_spoken_clips(o, dir.path(), "data");
  const auto file = spoken_digits_cache_file(o, dir.path());
  ASSERT_TRUE(std::filesystem::exists(file));
  // espeak-ng's output depends on what it said before in the process, so a second synthesis
  // may differ by a few samples: the cache is what keeps a set the same from run to run.
  EXPECT_EQ(first.labels, small_clips().labels);
  EXPECT_EQ(first.variants, small_clips().variants);
  // A cache file is what is read: change its clips and the change comes back.
  SpokenClips changed = first;
  changed.labels[0] = 7;
  write_file_atomic(file, encode_spoken_clips(changed, o.key()));
  const SpokenClips again = load_spoken_clips(o, dir.path(), "data");
  EXPECT_EQ(again.labels[0], 7);
  EXPECT_EQ(again.audio.samples, first.audio.samples);
  EXPECT_EQ(again.audio.offsets, first.audio.offsets);
  // A file made for other options is refused, never read as these.
  EXPECT_THROW(decode_spoken_clips(encode_spoken_clips(first, o.key()), {{"other", 1}}), Error);
}

TEST(SpokenDigitsTest, CacheFileChangesWithEveryOption) {
  const std::filesystem::path dir = "/tmp";
  const auto base = spoken_digits_cache_file(small(), dir);
  std::vector<SpokenDigitsOptions> changed(6, small());
  changed[0].repeats = 2;
  changed[1].synth_seed = 1;
  changed[2].variants.pop_back();
  changed[3].max_rate = 200;
  changed[4].sample_rate = 8000;
  changed[5].max_seconds = 0.8;
  std::set<std::filesystem::path> files{base};
  for (const auto& o : changed) files.insert(spoken_digits_cache_file(o, dir));
  EXPECT_EQ(files.size(), 7u);
  EXPECT_EQ(spoken_digits_cache_file(small(), dir), base);
}

TEST(SpokenDigitsTest, TestSpeakersAreNeverHeardInTraining) {
  const SpokenClips& c = small_clips();
  const auto [train, test] = make_spoken_digits(c, {}, 0.5, RandomStream(3, "split"));
  std::set<int> train_variants, test_variants;
  for (auto id : train.clip_ids) train_variants.insert(c.variants[static_cast<std::size_t>(id)]);
  for (auto id : test.clip_ids) test_variants.insert(c.variants[static_cast<std::size_t>(id)]);
  EXPECT_EQ(train_variants.size(), 2u);
  EXPECT_EQ(test_variants.size(), 2u);
  for (int v : test_variants) EXPECT_EQ(train_variants.count(v), 0u) << v;
  EXPECT_EQ(train.size() + test.size(), c.audio.size());
}

TEST(SpokenDigitsTest, LogMelLengthsCountFramesAndWaveformLengthsSamples) {
  const SpokenClips& c = small_clips();
  const LogMel mel(LogMelOptions{});
  const auto [spec, spec_test] = make_spoken_digits(c, {}, 0.25, RandomStream(1, "split"));
  const auto [wave, wave_test] =
      make_spoken_digits(c, SpokenFeatures{.log_mel = false, .front_end = {}, .test_snr_db = {}},
                         0.25, RandomStream(1, "split"));
  EXPECT_EQ(spec.kind, InputKind::spectrogram);
  EXPECT_EQ(spec.sample_shape, (Shape{1, 40, 101}));
  EXPECT_EQ(wave.kind, InputKind::sequence);
  EXPECT_EQ(wave.sample_shape, (Shape{16000, 1}));
  ASSERT_EQ(spec.size(), wave.size());
  for (std::int64_t i = 0; i < spec.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const std::int64_t samples = c.audio.length(spec.clip_ids[k]);
    EXPECT_EQ(wave.lengths[k], samples);
    EXPECT_EQ(spec.lengths[k], 1 + samples / 160);
    // Past its length a waveform is silent and a spectrogram holds the log floor.
    EXPECT_EQ(wave.values[static_cast<std::size_t>(i * 16000 + 15999)], 0.0f);
    EXPECT_FLOAT_EQ(spec.values[static_cast<std::size_t>(i * 40 * 101 + 100)], std::log(1e-6f));
  }
  const Batch b = make_audio_batch(spec, std::vector<std::int64_t>{0, 1});
  EXPECT_EQ(b.inputs.shape(), (Shape{2, 16000, 1}));
  EXPECT_EQ(b.lengths.ptr()[1], static_cast<float>(wave.lengths[1]));
}

TEST(SpokenDigitsTest, NoisyTestSetHasItsSnrAndCleanTraining) {
  const SpokenClips& c = small_clips();
  const SpokenFeatures clean{.log_mel = false, .front_end = {}, .test_snr_db = {}};
  const SpokenFeatures noisy{.log_mel = false, .front_end = {}, .test_snr_db = 10.0};
  const auto [train, test] = make_spoken_digits(c, clean, 0.5, RandomStream(2, "split"));
  const auto [noisy_train, noisy_test] =
      make_spoken_digits(c, noisy, 0.5, RandomStream(2, "split"));
  EXPECT_EQ(train.values, noisy_train.values);
  ASSERT_EQ(test.size(), noisy_test.size());
  for (std::int64_t i = 0; i < test.size(); ++i) {
    const std::int64_t n = test.lengths[static_cast<std::size_t>(i)];
    double signal = 0.0, noise = 0.0;
    for (std::int64_t t = 0; t < 16000; ++t) {
      const auto k = static_cast<std::size_t>(i * 16000 + t);
      const double d = noisy_test.values[k] - test.values[k];
      if (t >= n) {
        ASSERT_EQ(d, 0.0);
      }
      signal += static_cast<double>(test.values[k]) * test.values[k];
      noise += d * d;
    }
    EXPECT_NEAR(10.0 * std::log10(signal / noise), 10.0, 0.1) << i;
  }
}

TEST(SpokenDigitsTest, BadOptionsAreNamedByTheirPath) {
  TempDir dir("spoken-bad");
  auto error_of = [&](nlohmann::json spec) {
    spec["name"] = "spoken_digits";
    spec["cache"] = dir.path().string();
    try {
      load_data(spec, 1, "data");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_TRUE(testing::contains(error_of({{"n_mels", 0}}), "data.n_mels"))
      << error_of({{"n_mels", 0}});
  EXPECT_TRUE(testing::contains(error_of({{"min_rate", 300}, {"max_rate", 200}}), "data.max_rate"));
  EXPECT_TRUE(testing::contains(error_of({{"features", "mfcc"}}), "data.features"));
  EXPECT_TRUE(
      testing::contains(error_of({{"variants", nlohmann::json::array()}}), "data.variants"));
  EXPECT_TRUE(testing::contains(error_of({{"hop_lenght", 100}}), "hop_length"));
  const std::string voice = error_of({{"voices", {"xx-nowhere"}}, {"variants", {"m1"}}});
  EXPECT_TRUE(testing::contains(voice, "data")) << voice;
  EXPECT_TRUE(testing::contains(voice, "xx-nowhere")) << voice;
}

}  // namespace
}  // namespace dither
