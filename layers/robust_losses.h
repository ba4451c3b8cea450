#pragma once

#include "core/tensor.h"

namespace dither {

// Losses that keep learning the clean signal when some training labels are wrong. Both are
// built from differentiable core ops (log_softmax, exp, softmax, mul, sum), so their gradients
// come from the engine. Targets are class ids [N] or soft rows [N, K] (checked as
// cross_entropy checks them); the result is the mean over the N samples, shape {}.

/// Generalized cross-entropy (Zhang & Sabuncu 2018, the L_q loss): per sample (1 - p_y^q) / q
/// with p = softmax(logits), q in (0, 1]; q -> 0 gives cross-entropy, q = 1 gives 1 - p_y (half
/// the MAE between p and the one-hot label), which ignores confidently wrong labels. Soft targets
/// t: sum_k t_k (1 - p_k^q) / q, linear in t like cross-entropy, so mixing composes. p^q is
/// computed as exp(q log_softmax), which keeps its gradient finite where p underflows. The paper's
/// truncated variant (a per-sample threshold k, pruned every few epochs) is not included.
Tensor generalized_cross_entropy(const Tensor& logits, const Tensor& targets, float q = 0.7f);

/// Symmetric cross-entropy (Wang et al. 2019): alpha CE(t, p) + beta RCE, the reverse
/// cross-entropy RCE = -sum_k p_k log t_k with log 0 taken as `log_floor` (the paper's A = -4):
/// for a hard label y, RCE = -A (1 - p_y). Soft targets use max(log t_k, A). Defaults: the
/// paper's CIFAR-10 setting alpha 0.1, beta 1. The reproduction code clamps the one-hot label to
/// 1e-4 (A = log 1e-4 = -9.21) and p to 1e-7 in RCE; dither follows the paper's A and does not
/// clamp p (a clamp would cut the gradient of tiny probabilities and changes RCE by < 1e-6).
Tensor symmetric_cross_entropy(const Tensor& logits, const Tensor& targets, float alpha = 0.1f,
                               float beta = 1.0f, float log_floor = -4.0f);

}  // namespace dither
