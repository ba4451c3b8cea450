#pragma once

#include <cstdint>
#include <string>

#include "layers/module.h"

namespace dither {

struct BatchNormOptions {
  std::int64_t features = 0;  ///< channels (axis 1); inferred from the input when built from JSON
  double momentum = 0.1;      ///< running = (1 - momentum) running + momentum batch (PyTorch's)
  double eps = 1e-5;
};

/// Batch normalisation over axis 1 (see batch_norm) with a learned scale "weight" (ones) and
/// shift "bias" (zeros), and buffers "running_mean" (zeros) and "running_var" (ones).
/// In training it normalises by the batch's statistics and updates the running ones; in eval,
/// MC sampling included, it normalises by the running statistics and updates nothing.
class BatchNorm : public Module {
 public:
  /// Throws ShapeError naming the layer unless x has an accepted rank and `features` channels.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return type_; }
  nlohmann::json to_json() const override;
  /// One multiply-add per input element.
  std::int64_t flops(const Shape& input) const override { return numel(input); }

  const BatchNormOptions& options() const { return options_; }
  const Tensor& weight() const { return weight_; }              ///< gamma [features]
  const Tensor& bias() const { return bias_; }                  ///< beta [features]
  const Tensor& running_mean() const { return running_mean_; }  ///< [features]
  const Tensor& running_var() const { return running_var_; }    ///< [features], unbiased

 protected:
  /// Inputs of rank min_rank..max_rank are accepted. Throws Error unless features >= 1,
  /// momentum is in [0, 1] and eps > 0.
  BatchNorm(std::string type, const BatchNormOptions& options, std::int64_t min_rank,
            std::int64_t max_rank);

 private:
  std::string type_;
  BatchNormOptions options_;
  std::int64_t min_rank_, max_rank_;
  Tensor weight_, bias_, running_mean_, running_var_;
};

/// BatchNorm over [N, C] or [N, C, L]. JSON: {"type": "batch_norm1d", "momentum": 0.1,
/// "eps": 1e-5}.
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options)
      : BatchNorm("batch_norm1d", options, 2, 3) {}
};

/// BatchNorm over [N, C, H, W]. JSON: {"type": "batch_norm2d", "momentum": 0.1, "eps": 1e-5}.
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options)
      : BatchNorm("batch_norm2d", options, 4, 4) {}
};

}  // namespace dither
