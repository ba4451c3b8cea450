#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <vector>

#include "core/audio/audio_source.h"
#include "core/audio/log_mel.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

std::vector<float> tone(double hz, double rate, std::int64_t n, double amplitude = 0.5) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) {
    x[static_cast<std::size_t>(t)] = static_cast<float>(
        amplitude * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(t) / rate));
  }
  return x;
}

// The band whose triangle peaks nearest to `hz`.
std::int64_t nearest_band(const LogMel& mel, double hz) {
  std::int64_t best = 0;
  for (std::int64_t m = 1; m < mel.options().n_mels; ++m) {
    if (std::abs(mel.band_centre(m) - hz) < std::abs(mel.band_centre(best) - hz)) best = m;
  }
  return best;
}

TEST(LogMelTest, PureTonePeaksInTheBandCentredOnItsFrequency) {
  const LogMel mel(LogMelOptions{});
  const std::int64_t n = 16000;
  const std::int64_t frames = mel.frames(n);
  for (double hz : {300.0, 1000.0, 2500.0, 6000.0}) {
    std::vector<float> out(static_cast<std::size_t>(40 * frames));
    mel.compute(tone(hz, 16000.0, n), n, out, frames);
    const std::int64_t f = frames / 2;
    std::int64_t peak = 0;
    for (std::int64_t m = 1; m < 40; ++m) {
      if (out[static_cast<std::size_t>(m * frames + f)] >
          out[static_cast<std::size_t>(peak * frames + f)])
        peak = m;
    }
    EXPECT_EQ(peak, nearest_band(mel, hz)) << hz << " Hz";
  }
}

TEST(LogMelTest, ToneEnergyMatchesParseval) {
  // A tone at a band's centre: its power there is (A * sum(window) / 2)^2 times the triangle's
  // peak weight (about 1), so log-mel = log of that within a few percent.
  const LogMel mel(LogMelOptions{});
  const double hz = mel.band_centre(20);
  const std::int64_t frames = mel.frames(8000);
  std::vector<float> out(static_cast<std::size_t>(40 * frames));
  mel.compute(tone(hz, 16000.0, 8000, 0.5), 8000, out, frames);
  const double expected = std::log(std::pow(0.5 * 200.0 / 2.0, 2.0));  // periodic Hann sums to 200
  EXPECT_NEAR(out[static_cast<std::size_t>(20 * frames + frames / 2)], expected, 0.7);
}

TEST(LogMelTest, FramesPastTheLengthHoldTheFloor) {
  LogMelOptions o;
  o.log_floor = 1e-4;
  const LogMel mel(o);
  const std::int64_t frames = 30;
  std::vector<float> out(static_cast<std::size_t>(40 * frames));
  mel.compute(tone(1000.0, 16000.0, 4000), 1600, out, frames);
  EXPECT_EQ(mel.frames(1600), 11);
  for (std::int64_t m = 0; m < 40; ++m) {
    for (std::int64_t f = 11; f < frames; ++f) {
      EXPECT_FLOAT_EQ(out[static_cast<std::size_t>(m * frames + f)], std::log(1e-4f));
    }
  }
  EXPECT_GT(out[static_cast<std::size_t>(nearest_band(mel, 1000.0) * frames + 5)], 0.0f);
}

TEST(LogMelTest, BatchFeaturesRecomputeOnlyFlaggedRowsAndGiveFrameLengths) {
  const LogMel mel(LogMelOptions{});
  const std::int64_t t = 3200;
  Tensor waves = Tensor::zeros({2, t, 1});
  const std::vector<float> x = tone(500.0, 16000.0, t);
  std::copy(x.begin(), x.end(), waves.ptr());
  std::copy(x.begin(), x.end(), waves.ptr() + t);
  Tensor lengths = Tensor::empty({2});
  lengths.ptr()[0] = 3200.0f;
  lengths.ptr()[1] = 800.0f;
  const std::int64_t frames = mel.frames(t);
  const Tensor all = log_mel_features(mel, waves, lengths, frames);
  EXPECT_EQ(all.shape(), (Shape{2, 1, 40, frames}));
  const Tensor previous = Tensor::zeros({2, 1, 40, frames});
  const Tensor some = log_mel_features(mel, waves, lengths, frames, {0, 1}, previous);
  for (std::int64_t k = 0; k < 40 * frames; ++k) {
    EXPECT_EQ(some.ptr()[k], 0.0f);
    EXPECT_EQ(some.ptr()[40 * frames + k], all.ptr()[40 * frames + k]);
  }
  const Tensor f = frame_lengths(mel, lengths, frames);
  EXPECT_EQ(f.ptr()[0], 21.0f);  // 1 + 3200 / 160
  EXPECT_EQ(f.ptr()[1], 6.0f);
}

TEST(LogMelTest, OptionsAreCheckedNamingTheirPath) {
  auto read = [](const nlohmann::json& j) {
    return LogMelOptions::read(JsonReader(j, "data"), 16000.0);
  };
  EXPECT_EQ(read(nlohmann::json::object()), LogMelOptions{});
  try {
    read({{"f_max", 9000}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.f_max"), std::string::npos) << e.what();
  }
  try {
    read({{"n_fft", 256}, {"win_length", 400}});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.win_length"), std::string::npos) << e.what();
  }
  nlohmann::json written;
  LogMelOptions o = read({{"n_mels", 64}, {"hop_length", 80}});
  o.write(written);
  EXPECT_EQ(read(written), o);
}

}  // namespace
}  // namespace dither
