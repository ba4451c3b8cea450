#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace dither {

/// e^x / sum(e^x) along `axis` (max subtracted first, so large logits do not overflow); same shape.
Tensor softmax(const Tensor& x, std::int64_t axis = -1);
/// x - logsumexp(x) along `axis`: the stable log of softmax; same shape.
Tensor log_softmax(const Tensor& x, std::int64_t axis = -1);

}  // namespace dither
