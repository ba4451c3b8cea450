#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "core/tensor.h"

namespace dither {

/// Per-axis sizes {height, width} of a 2-D window (kernel, stride, padding, dilation).
using Size2 = std::array<std::int64_t, 2>;

/// Output length of a sliding window along one axis: (in + 2 padding - dilation (kernel - 1) -
/// 1) / stride + 1, rounded down (PyTorch's formula without ceil_mode); 0 or less when the
/// (dilated) window is larger than the padded input.
std::int64_t window_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                std::int64_t padding, std::int64_t dilation = 1);

/// The outputs [first, second) of a sliding window along one axis that read an input element
/// through the tap at `offset` (the tap index times the dilation): output o reads input
/// o stride + offset - padding, and these are the o for which that lies in [0, in).
std::pair<std::int64_t, std::int64_t> window_tap_range(std::int64_t offset, std::int64_t stride,
                                                       std::int64_t padding, std::int64_t in,
                                                       std::int64_t out);

/// 2-D cross-correlation, as PyTorch's conv2d with groups = 1 (fused, im2col + GEMM).
/// x: [N,C,H,W], weight: [O,C,kh,kw], bias: [O] or undefined -> [N,O,Ho,Wo] with
/// Ho = window_output_size(H, kh, sh, ph, dh) and Wo likewise. Zero padding.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride = {1, 1},
              Size2 padding = {0, 0}, Size2 dilation = {1, 1});

/// relu(conv2d(x, weight, bias, ...)), bitwise the same values and gradients, in one op: each
/// sample's output is rectified while it is still in cache after its GEMM, and the backward masks
/// each sample's gradient there, so no separate pass over the activations runs either way.
Tensor conv2d_relu(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride = {1, 1},
                   Size2 padding = {0, 0}, Size2 dilation = {1, 1});

/// 1-D cross-correlation, as PyTorch's conv1d with groups = 1.
/// x: [N,C,L], weight: [O,C,k], bias: [O] or undefined -> [N,O,Lo],
/// Lo = window_output_size(L, k, stride, padding, dilation).
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride = 1,
              std::int64_t padding = 0, std::int64_t dilation = 1);

}  // namespace dither
