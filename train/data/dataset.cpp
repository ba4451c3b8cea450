#include "train/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "core/simd.h"

namespace dither {
namespace {

// Gathers rows of `row` elements; shared by every storage type so subset() stays one loop.
template <class T>
std::vector<T> gather_rows(const std::vector<T>& from, std::int64_t row,
                           std::span<const std::int64_t> indices) {
  if (from.empty()) return {};
  std::vector<T> out(indices.size() * static_cast<std::size_t>(row));
  for (std::size_t k = 0; k < indices.size(); ++k) {
    std::copy_n(from.begin() + indices[k] * row, row,
                out.begin() + static_cast<std::ptrdiff_t>(k) * row);
  }
  return out;
}

void check_indices(const Dataset& dataset, std::span<const std::int64_t> indices, const char* op) {
  for (std::int64_t i : indices) {
    check(i >= 0 && i < dataset.size(), op, ": index ", i, " is out of range for dataset '",
          dataset.name, "' of ", dataset.size(), " samples");
  }
}

}  // namespace

std::int64_t AudioClips::length(std::int64_t k) const {
  return offsets[static_cast<std::size_t>(k + 1)] - offsets[static_cast<std::size_t>(k)];
}

std::span<const float> AudioClips::clip(std::int64_t k) const {
  return {samples.data() + offsets[static_cast<std::size_t>(k)],
          static_cast<std::size_t>(length(k))};
}

void Dataset::validate() const {
  const std::int64_t n = size();
  const std::int64_t row = sample_numel();
  const std::size_t expected = static_cast<std::size_t>(n * row);
  const std::string where = "dataset '" + name + "'";
  const int stores = !pixels.empty() + !values.empty() + !tokens.empty();
  check(n == 0 || stores == 1, where, ": exactly one of pixels, values, tokens must hold data");
  const std::size_t held = pixels.size() + values.size() + tokens.size();
  check(held == expected, where, ": holds ", held, " input values, expected ", n, " samples x ",
        row, " (sample shape ", sample_shape, ")");
  check(kind != InputKind::image || values.empty(), where, ": images are stored as uint8 pixels");
  check(kind != InputKind::tokens || values.empty(), where, ": tokens are stored as int32 ids");
  check(static_cast<std::int64_t>(class_names.size()) == num_classes, where, ": ",
        class_names.size(), " class names for ", num_classes, " classes");
  for (std::int32_t label : labels) {
    check(label >= 0 && label < num_classes, where, ": label ", label, " outside [0, ", num_classes,
          ")");
  }
  for (std::int32_t token : tokens) {
    check(token >= 0 && token < vocab_size(), where, ": token id ", token, " outside [0, ",
          vocab_size(), ")");
  }
  check(mask_id < vocab_size(), where, ": mask id ", mask_id, " outside the vocabulary of ",
        vocab_size());
  check(lengths.empty() || static_cast<std::int64_t>(lengths.size()) == n, where, ": ",
        lengths.size(), " lengths for ", n, " samples");
  // Spectrograms [C, bands, frames] count their length in frames, the last axis.
  const std::int64_t steps = sample_shape.empty()             ? 0
                             : kind == InputKind::spectrogram ? sample_shape.back()
                                                              : sample_shape[0];
  for (std::int32_t length : lengths) {
    check(length >= 0 && length <= steps, where, ": length ", length, " outside [0, ", steps, "]");
  }
  check(!audio || static_cast<std::int64_t>(clip_ids.size()) == n, where, ": ", clip_ids.size(),
        " clip ids for ", n, " samples");
  for (std::int32_t id : clip_ids) {
    check(audio && id >= 0 && id < audio->size(), where, ": clip id ", id, " outside the audio");
  }
}

namespace {

// __restrict: a uint8_t pointer may alias anything, which would stop vectorisation. Cloned per
// instruction set (core/simd.h): the 4-wide division was 6% of a two-thread MLP step.
DITHER_CLONES void pixels_to_unit(const std::uint8_t* __restrict in, std::int64_t n,
                                  float* __restrict out) {
  for (std::int64_t j = 0; j < n; ++j) out[j] = static_cast<float>(in[j]) / 255.0f;
}

DITHER_CLONES void tokens_to_float(const std::int32_t* __restrict in, std::int64_t n,
                                   float* __restrict out) {
  for (std::int64_t j = 0; j < n; ++j) out[j] = static_cast<float>(in[j]);
}

// A batch's rows lie scattered over a dataset larger than the cache, and converting a row mostly
// waited for its loads (two thirds of the time, on Fashion-MNIST): asking for the next row's
// cache lines while this one converts overlaps the waits.
void prefetch(const void* p, std::size_t bytes) {
  constexpr std::size_t kCacheLine = 64;
  const char* c = static_cast<const char*>(p);
  for (std::size_t offset = 0; offset < bytes; offset += kCacheLine) __builtin_prefetch(c + offset);
}

}  // namespace

Batch make_batch(const Dataset& dataset, std::span<const std::int64_t> indices) {
  check_indices(dataset, indices, "make_batch");
  const auto b = static_cast<std::int64_t>(indices.size());
  const std::int64_t row = dataset.sample_numel();
  Shape shape{b};
  shape.insert(shape.end(), dataset.sample_shape.begin(), dataset.sample_shape.end());
  Batch batch;
  batch.inputs = Tensor::empty(std::move(shape));
  batch.targets = Tensor::empty({b});
  batch.num_classes = dataset.num_classes;
  batch.indices.assign(indices.begin(), indices.end());
  if (!dataset.lengths.empty()) {
    batch.lengths = Tensor::empty({b});
    for (std::int64_t k = 0; k < b; ++k) {
      batch.lengths.ptr()[k] =
          static_cast<float>(dataset.lengths[static_cast<std::size_t>(indices[k])]);
    }
  }
  float* x = batch.inputs.ptr();
  float* y = batch.targets.ptr();
  // One sample's stored row and its size in bytes, whatever the element type.
  const auto stored_row = [&](std::int64_t i) -> std::pair<const void*, std::size_t> {
    const auto n = static_cast<std::size_t>(row);
    if (!dataset.pixels.empty()) return {dataset.pixels.data() + i * row, n};
    if (!dataset.tokens.empty()) return {dataset.tokens.data() + i * row, n * sizeof(std::int32_t)};
    return {dataset.values.data() + i * row, n * sizeof(float)};
  };
  parallel_for(
      b,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t k = begin; k < end; ++k) {
          const std::int64_t i = indices[static_cast<std::size_t>(k)];
          if (k + 1 < end) {
            const auto [next, bytes] = stored_row(indices[static_cast<std::size_t>(k + 1)]);
            prefetch(next, bytes);
          }
          float* out = x + k * row;
          if (!dataset.pixels.empty()) {
            pixels_to_unit(dataset.pixels.data() + i * row, row, out);
          } else if (!dataset.tokens.empty()) {
            tokens_to_float(dataset.tokens.data() + i * row, row, out);
          } else {
            std::copy_n(dataset.values.data() + i * row, row, out);
          }
          y[k] = static_cast<float>(dataset.labels[static_cast<std::size_t>(i)]);
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, row)));
  return batch;
}

Batch make_audio_batch(const Dataset& dataset, std::span<const std::int64_t> indices) {
  check(dataset.audio != nullptr, "make_audio_batch: dataset '", dataset.name, "' has no audio");
  check_indices(dataset, indices, "make_audio_batch");
  const AudioClips& audio = *dataset.audio;
  const auto b = static_cast<std::int64_t>(indices.size());
  const std::int64_t t = audio.max_length;
  Batch batch;
  batch.inputs = Tensor::zeros({b, t, 1});
  batch.targets = Tensor::empty({b});
  batch.lengths = Tensor::empty({b});
  batch.num_classes = dataset.num_classes;
  batch.indices.assign(indices.begin(), indices.end());
  for (std::int64_t k = 0; k < b; ++k) {
    const auto i = static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]);
    const std::span<const float> clip = audio.clip(dataset.clip_ids[i]);
    std::copy(clip.begin(), clip.end(), batch.inputs.ptr() + k * t);
    batch.lengths.ptr()[k] = static_cast<float>(clip.size());
    batch.targets.ptr()[k] = static_cast<float>(dataset.labels[i]);
  }
  return batch;
}

Dataset subset(const Dataset& dataset, std::span<const std::int64_t> indices) {
  check_indices(dataset, indices, "subset");
  Dataset out;
  static_cast<DatasetInfo&>(out) = dataset;
  const std::int64_t row = dataset.sample_numel();
  out.pixels = gather_rows(dataset.pixels, row, indices);
  out.values = gather_rows(dataset.values, row, indices);
  out.tokens = gather_rows(dataset.tokens, row, indices);
  out.lengths = gather_rows(dataset.lengths, 1, indices);
  out.labels = gather_rows(dataset.labels, 1, indices);
  out.clip_ids = gather_rows(dataset.clip_ids, 1, indices);
  return out;
}

Dataset limit(const Dataset& dataset, std::int64_t n) {
  check(n >= 0, "limit: n must be >= 0, got ", n);
  if (n == 0 || n >= dataset.size()) return dataset;
  std::vector<std::int64_t> first(static_cast<std::size_t>(n));
  std::iota(first.begin(), first.end(), std::int64_t{0});
  return subset(dataset, first);
}

std::vector<std::int64_t> sample_indices(std::int64_t n, std::int64_t k,
                                         const RandomStream& stream) {
  check(n >= 0 && k >= 0, "sample_indices: n and k must be >= 0, got ", n, " and ", k);
  std::vector<std::int64_t> chosen;
  if (k == 0 || k >= n) {
    chosen.resize(static_cast<std::size_t>(n));
    std::iota(chosen.begin(), chosen.end(), std::int64_t{0});
    return chosen;
  }
  chosen = stream.permutation(n);
  chosen.resize(static_cast<std::size_t>(k));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

Dataset random_subset(const Dataset& dataset, std::int64_t n, const RandomStream& stream) {
  check(n >= 0, "random_subset: n must be >= 0, got ", n);
  if (n == 0 || n >= dataset.size()) return dataset;
  return subset(dataset, sample_indices(dataset.size(), n, stream));
}

std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> split_indices(
    std::int64_t n, double fraction, const RandomStream& stream) {
  check(fraction >= 0.0 && fraction < 1.0, "split: fraction must be in [0, 1), got ", fraction);
  const auto second = static_cast<std::int64_t>(std::llround(static_cast<double>(n) * fraction));
  const std::vector<std::int64_t> order = stream.permutation(n);
  std::vector<std::int64_t> a(order.begin() + second, order.end());
  std::vector<std::int64_t> b(order.begin(), order.begin() + second);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {std::move(a), std::move(b)};
}

std::pair<Dataset, Dataset> split(const Dataset& dataset, double validation_fraction,
                                  const RandomStream& stream) {
  const auto [train, validation] = split_indices(dataset.size(), validation_fraction, stream);
  return {subset(dataset, train), subset(dataset, validation)};
}

}  // namespace dither
