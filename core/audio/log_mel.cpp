#include "core/audio/log_mel.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/audio/fft.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

double hz_to_mel(double f) { return 2595.0 * std::log10(1.0 + f / 700.0); }
double mel_to_hz(double m) { return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0); }

// Reflect padding as torch.stft(center=True, pad_mode="reflect"): index -1 reads 1, index n
// reads n - 2; a signal too short to reflect once more is read again from its ends.
std::int64_t reflect(std::int64_t i, std::int64_t n) {
  if (n == 1) return 0;
  const std::int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

}  // namespace

LogMelOptions LogMelOptions::read(const JsonReader& r, double sample_rate) {
  LogMelOptions o;
  o.sample_rate = sample_rate;
  o.n_fft = r.integer("n_fft", o.n_fft, 16, 65536);
  o.win_length = r.integer("win_length", std::min(o.win_length, o.n_fft), 2, o.n_fft);
  o.hop_length = r.integer("hop_length", o.hop_length, 1, 65536);
  o.n_mels = r.integer("n_mels", o.n_mels, 1, o.n_fft / 2 + 1);
  o.f_max = r.number("f_max", sample_rate / 2.0, Interval{0.0, sample_rate / 2.0, true, false});
  o.f_min = r.number("f_min", o.f_min, Interval{0.0, o.f_max, false, true});
  o.log_floor = r.number("log_floor", o.log_floor, Interval::above(0.0));
  return o;
}

void LogMelOptions::write(nlohmann::json& spec) const {
  spec["n_fft"] = n_fft;
  spec["win_length"] = win_length;
  spec["hop_length"] = hop_length;
  spec["n_mels"] = n_mels;
  spec["f_min"] = f_min;
  spec["f_max"] = f_max;
  spec["log_floor"] = log_floor;
}

std::vector<std::string> LogMelOptions::keys() {
  return {"n_fft", "win_length", "hop_length", "n_mels", "f_min", "f_max", "log_floor"};
}

LogMel::LogMel(const LogMelOptions& options)
    : options_(options), fft_(std::make_unique<RealFft>(options.n_fft)) {
  const std::int64_t n = options.n_fft;
  const std::int64_t win = options.win_length;
  check(win >= 2 && win <= n && options.hop_length >= 1 && options.n_mels >= 1 &&
            options.f_min >= 0.0 && options.f_min < options.f_max &&
            options.f_max <= options.sample_rate / 2.0 && options.log_floor > 0.0,
        "LogMel: inconsistent options (n_fft ", n, ", win_length ", win, ", hop_length ",
        options.hop_length, ", f_min ", options.f_min, ", f_max ", options.f_max, ")");
  // torch.hann_window(win, periodic=True), centred in the n_fft frame as torch.stft pads it.
  window_.assign(static_cast<std::size_t>(n), 0.0f);
  const std::int64_t left = (n - win) / 2;
  for (std::int64_t t = 0; t < win; ++t) {
    window_[static_cast<std::size_t>(left + t)] =
        static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(t) /
                                                static_cast<double>(win)));
  }
  // torchaudio.functional.melscale_fbanks(mel_scale="htk", norm=None).
  const std::int64_t bins = n / 2 + 1;
  const std::int64_t m = options.n_mels;
  const double mel_low = hz_to_mel(options.f_min);
  const double mel_high = hz_to_mel(options.f_max);
  std::vector<double> edges(static_cast<std::size_t>(m + 2));
  for (std::int64_t k = 0; k < m + 2; ++k) {
    edges[static_cast<std::size_t>(k)] = mel_to_hz(
        mel_low + (mel_high - mel_low) * static_cast<double>(k) / static_cast<double>(m + 1));
  }
  first_.resize(static_cast<std::size_t>(m));
  weights_.resize(static_cast<std::size_t>(m));
  centres_.resize(static_cast<std::size_t>(m));
  for (std::int64_t b = 0; b < m; ++b) {
    const double lo = edges[static_cast<std::size_t>(b)];
    const double mid = edges[static_cast<std::size_t>(b + 1)];
    const double hi = edges[static_cast<std::size_t>(b + 2)];
    centres_[static_cast<std::size_t>(b)] = mid;
    std::int64_t first = -1;
    std::vector<float>& w = weights_[static_cast<std::size_t>(b)];
    for (std::int64_t k = 0; k < bins; ++k) {
      const double f =
          options.sample_rate / 2.0 * static_cast<double>(k) / static_cast<double>(bins - 1);
      const double v = std::max(0.0, std::min((f - lo) / (mid - lo), (hi - f) / (hi - mid)));
      if (v > 0.0 && first < 0) first = k;
      if (first >= 0) w.push_back(static_cast<float>(v));
    }
    while (!w.empty() && w.back() == 0.0f) w.pop_back();
    first_[static_cast<std::size_t>(b)] = std::max<std::int64_t>(first, 0);
  }
}

LogMel::~LogMel() = default;
LogMel::LogMel(LogMel&&) noexcept = default;

std::int64_t LogMel::frames(std::int64_t samples) const {
  return 1 + samples / options_.hop_length;
}

double LogMel::band_centre(std::int64_t m) const {
  return centres_.at(static_cast<std::size_t>(m));
}

void LogMel::compute(std::span<const float> wave, std::int64_t length, std::span<float> out,
                     std::int64_t max_frames) const {
  const std::int64_t n = options_.n_fft;
  const std::int64_t mels = options_.n_mels;
  check(length >= 0 && length <= static_cast<std::int64_t>(wave.size()) &&
            static_cast<std::int64_t>(out.size()) == mels * max_frames,
        "LogMel::compute: length ", length, " of a wave of ", wave.size(), ", output of ",
        out.size(), " for ", mels, " x ", max_frames);
  const float silence = static_cast<float>(std::log(options_.log_floor));
  std::fill(out.begin(), out.end(), silence);
  if (length == 0) return;
  const std::int64_t valid = std::min(frames(length), max_frames);
  std::vector<float> frame(static_cast<std::size_t>(n));
  std::vector<std::complex<float>> spectrum(static_cast<std::size_t>(fft_->bins()));
  std::vector<float> power(spectrum.size());
  for (std::int64_t f = 0; f < valid; ++f) {
    const std::int64_t start = f * options_.hop_length - n / 2;
    for (std::int64_t t = 0; t < n; ++t) {
      frame[static_cast<std::size_t>(t)] =
          wave[static_cast<std::size_t>(reflect(start + t, length))] *
          window_[static_cast<std::size_t>(t)];
    }
    fft_->forward(frame, spectrum);
    for (std::size_t k = 0; k < spectrum.size(); ++k) power[k] = std::norm(spectrum[k]);
    for (std::int64_t b = 0; b < mels; ++b) {
      const std::vector<float>& w = weights_[static_cast<std::size_t>(b)];
      const float* p = power.data() + first_[static_cast<std::size_t>(b)];
      double sum = 0.0;
      for (std::size_t k = 0; k < w.size(); ++k) sum += static_cast<double>(w[k]) * p[k];
      out[static_cast<std::size_t>(b * max_frames + f)] =
          static_cast<float>(std::log(std::max(sum, options_.log_floor)));
    }
  }
}

}  // namespace dither
