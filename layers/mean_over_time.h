#pragma once

#include <cstdint>

#include "layers/module.h"

namespace dither {

/// Mean over the time axis of x: [N, T, F] -> [N, F]. With per-sample lengths set
/// (Module::set_sequence_lengths; the trainer sets the batch's), sample n averages its first L_n
/// steps only, so padding neither dilutes the mean nor receives gradient; a sample of length 0
/// gives zeros. Without lengths, the mean of all T steps. Keras' GlobalAveragePooling1D with a
/// mask computes the same; PyTorch has no masked pooling (users divide a masked sum by the
/// lengths by hand). JSON: {"type": "mean_over_time"}.
class MeanOverTime : public Module {
 public:
  /// Throws ShapeError unless x is [N, T, F] with T >= 1.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "mean_over_time"; }
  /// One addition per input element.
  std::int64_t flops(const Shape& input) const override { return numel(input); }
};

}  // namespace dither
