#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace dither {

/// Mean negative log-likelihood of the true classes under softmax(logits / temperature), in
/// double: logits [N, K], labels [N] class ids in [0, K). Throws Error on a shape mismatch, an
/// empty set, a label outside [0, K) or temperature <= 0.
double nll_at_temperature(const Tensor& logits, std::span<const std::int32_t> labels,
                          double temperature);

/// Temperature scaling (Guo et al. 2017): the T > 0 that minimises nll_at_temperature on a
/// held-out set, found by golden-section search over log T in [log 0.01, log 100] (the NLL is
/// convex in 1/T, hence unimodal in log T). T > 1 softens overconfident predictions, T < 1
/// sharpens underconfident ones; argmax, hence accuracy, never changes.
double fit_temperature(const Tensor& logits, std::span<const std::int32_t> labels);

}  // namespace dither
