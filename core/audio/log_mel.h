#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

namespace dither {

class RealFft;
class JsonReader;

/// How a waveform becomes a log-mel spectrogram. The defaults are torchaudio's MelSpectrogram
/// at 16 kHz with 25 ms windows every 10 ms and 40 bands: n_fft = win_length = 400,
/// hop_length = 160, a periodic Hann window, center = true with reflect padding, power 2, the
/// HTK mel scale (mel = 2595 log10(1 + f / 700)), unnormalised triangles on [f_min, f_max];
/// then log(max(mel power, log_floor)).
struct LogMelOptions {
  double sample_rate = 16000.0;
  std::int64_t n_fft = 400;
  std::int64_t win_length = 400;  ///< <= n_fft; the window sits in the middle of the FFT frame
  std::int64_t hop_length = 160;
  std::int64_t n_mels = 40;
  double f_min = 0.0;
  double f_max = 8000.0;  ///< <= sample_rate / 2
  double log_floor = 1e-6;

  /// Reads every option but the sample rate from `r` (each key optional, f_max defaulting to
  /// sample_rate / 2) and checks them together; ConfigErrors name the JSON path at fault.
  static LogMelOptions read(const JsonReader& r, double sample_rate);
  /// Writes the keys read() reads.
  void write(nlohmann::json& spec) const;
  /// The keys read() reads.
  static std::vector<std::string> keys();
  bool operator==(const LogMelOptions&) const = default;
};

/// A log-mel front end: the FFT plan, window and filter bank made once, then applied to any
/// number of waveforms from any thread.
class LogMel {
 public:
  explicit LogMel(const LogMelOptions& options);
  ~LogMel();
  LogMel(LogMel&&) noexcept;

  const LogMelOptions& options() const { return options_; }
  /// Frames of a waveform of `samples` samples: 1 + samples / hop_length (center = true).
  std::int64_t frames(std::int64_t samples) const;
  /// Centre frequency of mel band m in Hz (the peak of its triangle).
  double band_centre(std::int64_t m) const;

  /// The spectrogram of wave[0, length) into out [n_mels, max_frames] (band-major, as an image
  /// [1, mels, frames] is stored): frames past frames(length), and past max_frames, are cut;
  /// the cut-off frames hold log(log_floor), what silence gives.
  void compute(std::span<const float> wave, std::int64_t length, std::span<float> out,
               std::int64_t max_frames) const;

 private:
  LogMelOptions options_;
  std::unique_ptr<RealFft> fft_;
  std::vector<float> window_;  // [n_fft], zero outside the centred win_length
  // Band m covers FFT bins [first_[m], first_[m] + weights_[m].size()).
  std::vector<std::int64_t> first_;
  std::vector<std::vector<float>> weights_;
  std::vector<double> centres_;
};

}  // namespace dither
