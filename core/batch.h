#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// One mini-batch as every training hook and the model see it.
struct Batch {
  Tensor inputs;   ///< [B, ...sample_shape] float32
  Tensor targets;  ///< class ids [B] (floats holding integers) or soft rows [B, K] summing to 1
  /// Valid steps of each sample before padding ([B], floats holding integers), for tokens and
  /// sequences; undefined for fixed-size inputs.
  Tensor lengths;
  std::int64_t num_classes = 0;
  /// Each sample's index in its dataset: what makes a per-sample choice (label noise) the same
  /// every epoch.
  std::vector<std::int64_t> indices;

  std::int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  bool soft_targets() const { return targets.defined() && targets.dim() == 2; }
};

/// Class ids [B] as one-hot rows [B, K]; soft rows [B, K] are returned as they are.
Tensor soft_targets(const Tensor& targets, std::int64_t num_classes);

}  // namespace dither
