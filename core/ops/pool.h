#pragma once

#include "core/ops/conv.h"
#include "core/tensor.h"

namespace dither {

/// Maximum over kh x kw windows (PyTorch's max_pool2d without dilation or ceil_mode).
/// x: [N,C,H,W] -> [N,C,Ho,Wo], Ho = window_output_size(H, kh, sh, ph). Padding is -inf and at
/// most half the kernel. The gradient goes to the first maximum of each window in row-major order.
Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding = {0, 0});

/// Mean over kh x kw windows. x: [N,C,H,W] -> [N,C,Ho,Wo]. Padding is zero and at most half the
/// kernel; count_include_pad divides by kh kw (PyTorch's default), otherwise by the window's
/// elements that lie inside the input.
Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding = {0, 0},
                  bool count_include_pad = true);

/// Mean over each channel's map. x: [N,C,H,W] -> [N,C].
Tensor global_avg_pool2d(const Tensor& x);

}  // namespace dither
