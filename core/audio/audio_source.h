#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "core/audio/log_mel.h"
#include "core/batch.h"

namespace dither {

/// Log-mel features [B, 1, n_mels, frames] of waveforms [B, T, 1] (samples past each length
/// ignored), in parallel over the batch; the lengths become frame counts (capped at frames).
/// Rows whose `recompute` flag is 0 are copied from `previous` [B, 1, n_mels, frames] instead
/// (pass an empty flag list to compute every row).
Tensor log_mel_features(const LogMel& front_end, const Tensor& waves, const Tensor& lengths,
                        std::int64_t frames, const std::vector<char>& recompute = {},
                        const Tensor& previous = Tensor());

/// Frame counts [B] of waveforms of `lengths` [B] samples, capped at `frames`.
Tensor frame_lengths(const LogMel& front_end, const Tensor& lengths, std::int64_t frames);

/// The sound behind a dataset whose inputs are spectrograms, for hooks that change the sound
/// (speed, background noise) and must then recompute the features. One per experiment, shared
/// by its hooks, so that waveform hooks compose: each reads the waveforms the previous one left
/// behind the features it made. Hooks that change the features themselves (spec_augment) must
/// come after the waveform hooks, whose features start again from the sound.
class AudioSource {
 public:
  /// `raw(indices)`: the training samples' own waveforms as a batch (inputs [B, T, 1], lengths
  /// in samples).
  using Reader = std::function<Batch(std::span<const std::int64_t> indices)>;
  /// `size` training samples of waveforms up to `max_length` samples, spectrograms of
  /// `frames` frames.
  AudioSource(LogMel front_end, std::int64_t size, std::int64_t max_length, std::int64_t frames,
              Reader raw);

  const LogMel& front_end() const { return front_end_; }
  std::int64_t frames() const { return frames_; }
  std::int64_t size() const { return size_; }
  std::int64_t max_length() const { return max_length_; }
  /// The dataset's own waveforms of training samples `indices`.
  Batch raw(std::span<const std::int64_t> indices) const { return raw_(indices); }

  /// Waveforms behind `batch`: those a recent set_waveforms() left when batch.inputs are still
  /// the features it made, else the dataset's own.
  Batch waveforms(const Batch& batch) const;
  /// The waveforms set_waveforms() made `features` of, among the last kRemembered calls; null
  /// when these features were not made from changed sound (or were changed since).
  const Batch* find(const Tensor& features) const;
  /// Replaces batch.inputs and batch.lengths by the features of `waves` (recomputed where
  /// `changed` is set, kept for the other rows) and remembers `waves` behind them.
  static constexpr std::size_t kRemembered = 8;
  void set_waveforms(Batch& batch, const Batch& waves, const std::vector<char>& changed);

 private:
  LogMel front_end_;
  std::int64_t size_;
  std::int64_t max_length_;
  std::int64_t frames_;
  Reader raw_;
  // The latest (features, waves) pairs, newest last. Holding the features keeps their storage
  // from being reused, so a pointer match means the very tensor a hook made.
  std::vector<std::pair<Tensor, Batch>> made_;
};

}  // namespace dither
