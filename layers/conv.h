#pragma once

#include <cstdint>
#include <string>

#include "core/ops/conv.h"
#include "layers/weight_layer.h"

namespace dither {

struct Conv2dOptions {
  std::int64_t in = 0;   ///< input channels; inferred from the input when built from JSON
  std::int64_t out = 0;  ///< output channels
  Size2 kernel{3, 3};
  Size2 stride{1, 1};
  Size2 padding{0, 0};
  Size2 dilation{1, 1};
  bool bias = true;
  std::string init = "default";  ///< weight scheme, one of init_schemes()
};

struct Conv1dOptions {
  std::int64_t in = 0;   ///< input channels; inferred from the input when built from JSON
  std::int64_t out = 0;  ///< output channels
  std::int64_t kernel = 3;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
  std::int64_t dilation = 1;
  bool bias = true;
  std::string init = "default";  ///< weight scheme, one of init_schemes()
};

/// What Conv1d and Conv2d share: a weight [out, in, *kernel] drawn by options.init with
/// fan_in = in * kernel size and fan_out = out * kernel size (PyTorch's), and a bias [out] drawn
/// U(±1/√fan_in) (PyTorch's), or none.
class Convolution : public WeightLayer {
 protected:
  /// Throws Error unless in, out and every kernel size are >= 1.
  Convolution(const char* type, std::int64_t in, std::int64_t out, const Shape& kernel, bool bias,
              const std::string& init);
};

/// 2-D convolution over [N, in, H, W] -> [N, out, Ho, Wo] (see conv2d for Ho and Wo).
/// JSON: {"type": "conv2d", "out": 32, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1,
/// "bias": true, "init": "default"}; sizes are an integer or [h, w].
class Conv2d : public Convolution {
 public:
  /// Throws Error for sizes out of range (stride and dilation >= 1, padding >= 0).
  explicit Conv2d(const Conv2dOptions& options);

  Tensor forward_with(const Tensor& x, const Tensor& weight) const override;
  /// conv2d_relu (core/ops/conv.h) with forward_weight().
  Tensor forward_relu(const Tensor& x) override;
  std::string type_name() const override { return "conv2d"; }
  nlohmann::json to_json() const override;
  /// out * Ho * Wo * in * kh * kw for a per-sample input [in, H, W].
  std::int64_t flops(const Shape& input) const override;

  const Conv2dOptions& options() const { return options_; }

 private:
  Conv2dOptions options_;
};

/// 1-D convolution over [N, in, L] -> [N, out, Lo] (see conv1d for Lo).
/// JSON: {"type": "conv1d", "out": 32, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1,
/// "bias": true, "init": "default"}.
class Conv1d : public Convolution {
 public:
  /// Throws Error for sizes out of range (stride and dilation >= 1, padding >= 0).
  explicit Conv1d(const Conv1dOptions& options);

  Tensor forward_with(const Tensor& x, const Tensor& weight) const override;
  std::string type_name() const override { return "conv1d"; }
  nlohmann::json to_json() const override;
  /// out * Lo * in * k for a per-sample input [in, L].
  std::int64_t flops(const Shape& input) const override;

  const Conv1dOptions& options() const { return options_; }

 private:
  Conv1dOptions options_;
};

}  // namespace dither
