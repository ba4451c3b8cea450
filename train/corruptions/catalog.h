#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/input_info.h"
#include "train/corruptions/tabular.h"

namespace dither {

/// What a corruption may need besides its inputs: the valid range (images) and the training
/// statistics (tabular; null when not computed).
struct CorruptionData {
  ValueRange range;
  const FeatureStats* features = nullptr;
};

/// One named corruption of a robustness suite and the inputs it applies to.
struct Corruption {
  std::string name;
  InputKind kind;  ///< image: [B, C, H, W]; tabular: [B, F]
  std::function<Tensor(const Tensor&, int severity, const RandomStream&, const CorruptionData&)>
      apply;
  /// Its only draws are per feature and shared by every row (a shift of the whole set).
  bool whole_set = false;
};

/// Every corruption, images first (noise, blur, digital, JPEG, geometry), then tabular.
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

/// The names of the corruptions for `kind`, comma-separated (for error messages).
std::string corruption_names(InputKind kind);

}  // namespace dither
