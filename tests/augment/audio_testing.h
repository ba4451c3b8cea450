#pragma once

// Audio for hook tests: tones as waveform batches, and spectrogram batches with the sound
// behind them (an AudioSource as build_experiment makes for spoken digits).

#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "core/audio/audio_source.h"
#include "hook_testing.h"

namespace dither::testing {

inline constexpr double kRate = 16000.0;

/// n samples of a sine of `hz` at 16 kHz, amplitude `amplitude`.
inline std::vector<float> tone(double hz, std::int64_t n, double amplitude = 0.5) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (std::int64_t t = 0; t < n; ++t) {
    x[static_cast<std::size_t>(t)] = static_cast<float>(
        amplitude * std::sin(2.0 * std::numbers::pi * hz * static_cast<double>(t) / kRate));
  }
  return x;
}

/// A waveform batch [b, t, 1]: sample i a tone of 200 + 100 i Hz lasting lengths[i] samples,
/// zero-padded, with those lengths.
inline Batch tone_batch(HookRig& rig, std::int64_t t, const std::vector<std::int64_t>& lengths) {
  const auto b = static_cast<std::int64_t>(lengths.size());
  Tensor x = Tensor::zeros({b, t, 1});
  Tensor l = Tensor::empty({b});
  for (std::int64_t i = 0; i < b; ++i) {
    const std::vector<float> y =
        tone(200.0 + 100.0 * static_cast<double>(i), lengths[static_cast<std::size_t>(i)]);
    std::copy(y.begin(), y.end(), x.ptr() + i * t);
    l.ptr()[i] = static_cast<float>(lengths[static_cast<std::size_t>(i)]);
  }
  Batch batch = rig.batch(x, Tensor::zeros({b}));
  batch.lengths = l;
  return batch;
}

/// An AudioSource over the clips of `waves` (training sample i is waves' sample i), with
/// torchaudio-default log-mels of `frames` frames.
inline std::shared_ptr<AudioSource> audio_source(const Batch& waves, std::int64_t frames) {
  const Batch clips = waves;
  return std::make_shared<AudioSource>(
      LogMel(LogMelOptions{}), waves.size(), waves.inputs.size(1), frames,
      [clips](std::span<const std::int64_t> indices) {
        const std::int64_t t = clips.inputs.size(1);
        Batch out;
        out.inputs = Tensor::zeros({static_cast<std::int64_t>(indices.size()), t, 1});
        out.lengths = Tensor::empty({static_cast<std::int64_t>(indices.size())});
        for (std::size_t k = 0; k < indices.size(); ++k) {
          std::copy_n(clips.inputs.ptr() + indices[k] * t, t,
                      out.inputs.ptr() + static_cast<std::int64_t>(k) * t);
          out.lengths.ptr()[k] = clips.lengths.ptr()[indices[k]];
        }
        out.indices.assign(indices.begin(), indices.end());
        return out;
      });
}

/// The spectrogram batch the loader would give for `waves` with `audio`'s front end.
inline Batch spectrogram_batch(const Batch& waves, const AudioSource& audio) {
  Batch batch = waves;
  batch.inputs = log_mel_features(audio.front_end(), waves.inputs, waves.lengths, audio.frames());
  batch.lengths = frame_lengths(audio.front_end(), waves.lengths, audio.frames());
  return batch;
}

}  // namespace dither::testing
