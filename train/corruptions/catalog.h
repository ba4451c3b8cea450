#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/input_info.h"
#include "train/corruptions/tabular.h"

namespace dither {

/// What a corruption may need besides its inputs: the valid range (images), the training
/// statistics (tabular; null when not computed) and the inputs' facts (tokens: the vocabulary's
/// size, padding and special ids; null when not given).
struct CorruptionData {
  ValueRange range;
  const FeatureStats* features = nullptr;
  const InputInfo* input = nullptr;
};

/// One named corruption of a robustness suite and the inputs it applies to.
struct Corruption {
  std::string name;
  InputKind kind;  ///< image: [B, C, H, W]; tabular: [B, F]; tokens: [B, L]; sequence: [B, T, F]
  /// Fixed-size inputs (image, tabular); empty for the variable-length kinds.
  std::function<Tensor(const Tensor&, int severity, const RandomStream&, const CorruptionData&)>
      apply;
  /// Its only draws are per feature and shared by every row (a shift of the whole set).
  bool whole_set = false;
  /// Variable-length inputs (tokens, sequence): the inputs and their lengths change together;
  /// empty for the fixed-size kinds.
  std::function<Padded(const Padded&, int severity, const RandomStream&, const CorruptionData&)>
      apply_padded;
};

/// Every corruption: images (noise, blur, digital, JPEG, geometry), tabular, tokens, sequences.
const std::vector<Corruption>& corruption_catalog();

/// The corruption called `name`, or null.
const Corruption* find_corruption(const std::string& name);

/// `corruption` applied to each sample k of `inputs` [B, ...] alone, with the draws of
/// stream.child(indices[k]) (a whole-set corruption: to the batch, with `stream`): the result
/// depends on the samples' dataset indices, not on how they were batched. Samples run in
/// parallel.
Tensor corrupt_each(const Corruption& corruption, const Tensor& inputs,
                    std::span<const std::int64_t> indices, int severity, const RandomStream& stream,
                    const CorruptionData& data);

/// corrupt_each for the variable-length kinds: sample k alone, inputs and length together, with
/// the draws of stream.child(indices[k]).
Padded corrupt_each(const Corruption& corruption, const Padded& inputs,
                    std::span<const std::int64_t> indices, int severity, const RandomStream& stream,
                    const CorruptionData& data);

/// What a corruption of `kind` reads, one sample: "images [C, H, W]", "tabular rows [F]"...
std::string corrupted_inputs(InputKind kind);
/// The rank of one sample of `kind` a corruption reads (images 3, tabular and tokens 1,
/// sequences 2).
std::size_t corrupted_rank(InputKind kind);

/// The names of the corruptions for `kind`, comma-separated (for error messages).
std::string corruption_names(InputKind kind);

}  // namespace dither
