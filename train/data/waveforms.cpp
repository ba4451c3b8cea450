#include "train/data/waveforms.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

enum Wave { kSine, kSquare, kSawtooth, kChirp, kWaves };

// The wave at step t with phase (in cycles) `phase` and frequency `f` (cycles per step).
double wave(int kind, double t, double phase, double f, double f_end, double length) {
  constexpr double kTau = 2.0 * std::numbers::pi;
  const double cycles = phase + f * t;
  switch (kind) {
    case kSine:
      return std::sin(kTau * cycles);
    case kSquare:
      return std::sin(kTau * cycles) >= 0.0 ? 1.0 : -1.0;
    case kSawtooth:
      return 2.0 * (cycles - std::floor(cycles)) - 1.0;
    default:  // chirp: the frequency rises linearly from f to f_end over the wave's length
      return std::sin(kTau * (phase + f * t + (f_end - f) * t * t / (2.0 * length)));
  }
}

}  // namespace

Dataset make_waveforms(const WaveformOptions& options, const RandomStream& stream) {
  if (options.size < 0 || options.length < 1 || options.min_length < 1 ||
      options.min_length > options.length || !(options.noise >= 0.0)) {
    throw ConfigError(
        str("waveforms: need size >= 0, 1 <= min_length <= length and noise >= 0; "
            "got size ",
            options.size, ", length ", options.length, ", min_length ", options.min_length,
            ", noise ", options.noise));
  }
  Dataset ds;
  ds.name = "waveforms";
  ds.kind = InputKind::sequence;
  ds.sample_shape = {options.length, 1};
  ds.num_classes = kWaves;
  ds.class_names = {"sine", "square", "sawtooth", "chirp"};
  const float inf = std::numeric_limits<float>::infinity();
  ds.value_range = {-inf, inf};
  const std::int64_t n = options.size;
  const std::int64_t steps = options.length;
  ds.values.assign(static_cast<std::size_t>(n * steps), 0.0f);
  ds.labels.resize(static_cast<std::size_t>(n));
  ds.lengths.resize(static_cast<std::size_t>(n));
  parallel_for(
      n,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const RandomStream s = stream.child(static_cast<std::uint64_t>(i));
          const int kind = static_cast<int>(i % kWaves);
          const double phase = s.uniform(0);
          const double f = 1.0 / 32.0 + (1.0 / 8.0 - 1.0 / 32.0) * s.uniform(1);
          // Capped well below 0.5 cycles per step, where the samples would alias.
          const double f_end = std::min(0.3, f * (2.0 + 2.0 * s.uniform(2)));
          const double amplitude = 0.5 + s.uniform(3);
          const std::int64_t length =
              options.min_length + s.integer(4, steps - options.min_length + 1);
          float* out = ds.values.data() + i * steps;
          for (std::int64_t t = 0; t < length; ++t) {
            const double clean =
                wave(kind, static_cast<double>(t), phase, f, f_end, static_cast<double>(length));
            out[t] = static_cast<float>(
                amplitude * clean + options.noise * s.normal(16 + static_cast<std::uint64_t>(t)));
          }
          ds.labels[static_cast<std::size_t>(i)] = kind;
          ds.lengths[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(length);
        }
      },
      64);
  ds.validate();
  return ds;
}

}  // namespace dither
