#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/audio/log_mel.h"
#include "core/batch.h"
#include "core/input_info.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace dither {

class RandomStream;

/// Closed interval of the float values the model sees; noise hooks and attacks clip to it.
/// Unbounded data (standardised features, generated points) uses -inf and +inf.
struct ValueRange {
  float low = 0.0f;
  float high = 1.0f;
};

/// The sound behind a dataset whose inputs are features computed from it (spectrograms): clip k
/// is samples[offsets[k], offsets[k + 1]), at most max_length samples, and `front_end` made the
/// features. Shared, never changed once built.
struct AudioClips {
  LogMelOptions front_end;
  std::int64_t max_length = 0;
  std::vector<float> samples;
  std::vector<std::int64_t> offsets{0};

  std::int64_t size() const { return static_cast<std::int64_t>(offsets.size()) - 1; }
  std::int64_t length(std::int64_t k) const;
  std::span<const float> clip(std::int64_t k) const;
};

/// Everything about a dataset except its samples: what subset() and split() copy unchanged.
struct DatasetInfo {
  std::string name;
  InputKind kind = InputKind::tabular;
  Shape sample_shape;  ///< One sample, no batch axis: [C,H,W], [F], [L], [T,1] or [2].
  std::int64_t num_classes = 0;
  std::vector<std::string> class_names;    ///< num_classes entries, class id order.
  ValueRange value_range;                  ///< Of the float inputs make_batch produces.
  std::vector<std::string> feature_names;  ///< Tabular: one per input feature; else empty.
  std::vector<std::string> vocabulary;     ///< Tokens: the string of each id; else empty.
  std::int32_t pad_id = 0;                 ///< Tokens: the id that fills a sample past its length.
  std::int32_t mask_id =
      -1;  ///< Tokens: the id token masking puts in; -1: the vocabulary has none.
  std::vector<std::int32_t> special_ids;    ///< Tokens: ids no word is made of (padding, mask...).
  std::shared_ptr<const AudioClips> audio;  ///< Spectrograms: the sound behind them; else null.
  double sample_rate = 0.0;  ///< Audio (waveforms or spectrograms): samples per second; else 0.

  /// Number of token ids (0 unless kind is tokens).
  std::int64_t vocab_size() const { return static_cast<std::int64_t>(vocabulary.size()); }
  std::int64_t sample_numel() const { return numel(sample_shape); }
};

/// A whole labelled dataset in memory, in compact storage. Exactly one of pixels, values and
/// tokens holds the inputs, sample after sample: pixels for images (uint8 [n, C, H, W]), tokens
/// for token ids (int32 [n, L]), values (float) for everything else.
struct Dataset : DatasetInfo {
  std::vector<std::uint8_t> pixels;    ///< Images: 0..255, scaled to [0, 1] by make_batch.
  std::vector<float> values;           ///< Tabular, sequence and points inputs.
  std::vector<std::int32_t> tokens;    ///< Token ids in [0, vocab_size()).
  std::vector<std::int32_t> lengths;   ///< Tokens and sequences: valid steps before padding.
  std::vector<std::int32_t> labels;    ///< [n], class ids in [0, num_classes).
  std::vector<std::int32_t> clip_ids;  ///< With audio: each sample's clip in it.

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  /// Throws Error when storage sizes, shapes, labels or lengths disagree.
  void validate() const;
};

/// Gathers `indices` into a batch: inputs [B, ...sample_shape] (uint8 pixels become x / 255,
/// token ids become floats), class ids [B], lengths [B] when the dataset has them, the class
/// count and the indices.
/// Throws Error on an index outside [0, size).
Batch make_batch(const Dataset& dataset, std::span<const std::int64_t> indices);

/// The waveforms behind samples `indices` of an audio-backed dataset as a sequence batch:
/// inputs [B, max_length, 1] padded with zeros, lengths in samples, labels and indices.
Batch make_audio_batch(const Dataset& dataset, std::span<const std::int64_t> indices);

/// The samples at `indices`, in that order, with the same info.
Dataset subset(const Dataset& dataset, std::span<const std::int64_t> indices);

/// The first `n` samples (all when n is 0 or at least the size).
Dataset limit(const Dataset& dataset, std::int64_t n);

/// `k` of the indices [0, n) drawn without replacement by `stream`, sorted (all when k is 0 or
/// at least n).
std::vector<std::int64_t> sample_indices(std::int64_t n, std::int64_t k,
                                         const RandomStream& stream);

/// `n` samples drawn without replacement by `stream`, kept in dataset order (all when n is 0
/// or at least the size): a limit that does not depend on how the file is sorted.
Dataset random_subset(const Dataset& dataset, std::int64_t n, const RandomStream& stream);

/// Indices of a seeded random split of [0, n): round(n * fraction) go to the second list. Both
/// lists are sorted. fraction must be in [0, 1).
std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> split_indices(
    std::int64_t n, double fraction, const RandomStream& stream);

/// {train, validation}: a seeded random split with round(size * validation_fraction) samples
/// in the validation set; both keep dataset order.
std::pair<Dataset, Dataset> split(const Dataset& dataset, double validation_fraction,
                                  const RandomStream& stream);

}  // namespace dither
