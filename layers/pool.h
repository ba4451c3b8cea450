#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/ops/conv.h"
#include "layers/module.h"

namespace dither {

struct Pool2dOptions {
  Size2 kernel{2, 2};
  std::optional<Size2> stride = std::nullopt;  ///< the kernel when absent (PyTorch's default)
  Size2 padding{0, 0};                         ///< at most half the kernel
};

/// Max over windows: [N, C, H, W] -> [N, C, Ho, Wo] (see max_pool2d).
/// JSON: {"type": "max_pool2d", "kernel": 2, "stride": 2, "padding": 0}; sizes are an integer or
/// [h, w], and stride defaults to the kernel.
class MaxPool2d : public Module {
 public:
  /// Throws Error for sizes out of range (kernel, stride >= 1; 0 <= padding <= kernel / 2).
  explicit MaxPool2d(const Pool2dOptions& options);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "max_pool2d"; }
  nlohmann::json to_json() const override;
  /// One comparison per window element: C * Ho * Wo * kh * kw for a per-sample [C, H, W].
  std::int64_t flops(const Shape& input) const override;

  const Pool2dOptions& options() const { return options_; }  ///< stride always set

 private:
  Pool2dOptions options_;
};

/// Mean over windows: [N, C, H, W] -> [N, C, Ho, Wo] (see avg_pool2d).
/// JSON: {"type": "avg_pool2d", "kernel": 2, "stride": 2, "padding": 0,
/// "count_include_pad": true}.
class AvgPool2d : public Module {
 public:
  /// Throws Error for sizes out of range, as MaxPool2d.
  explicit AvgPool2d(const Pool2dOptions& options, bool count_include_pad = true);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "avg_pool2d"; }
  nlohmann::json to_json() const override;
  /// One addition per window element: C * Ho * Wo * kh * kw for a per-sample [C, H, W].
  std::int64_t flops(const Shape& input) const override;

  const Pool2dOptions& options() const { return options_; }  ///< stride always set
  bool count_include_pad() const { return count_include_pad_; }

 private:
  Pool2dOptions options_;
  bool count_include_pad_;
};

/// Mean over every axis after the channels: [N, C, ...] -> [N, C] (global average pooling).
/// JSON: {"type": "global_avg_pool"}.
class GlobalAvgPool : public Module {
 public:
  /// Throws ShapeError unless x has at least one axis after the channels.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "global_avg_pool"; }
  /// One addition per input element.
  std::int64_t flops(const Shape& input) const override { return numel(input); }
};

}  // namespace dither
