#pragma once

#include <vector>

#include "core/tensor.h"

namespace dither {

/// Scales every gradient by max_norm / (norm + 1e-6) when the L2 norm of all gradients taken
/// together exceeds max_norm, as torch.nn.utils.clip_grad_norm_ does. Returns the norm before
/// clipping, summed in double in a fixed order (the same at any thread count). Parameters
/// without a gradient are skipped; a non-finite norm is returned and nothing is scaled.
/// Throws ConfigError unless max_norm >= 0.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

/// Clamps every gradient element to [-clip, clip] in place. Throws ConfigError unless clip >= 0.
void clip_grad_value(const std::vector<Tensor>& params, double clip);

}  // namespace dither
