#pragma once

#include "core/tensor.h"

namespace dither {

/// How a loss turns per-sample (or per-element) values into its result.
enum class Reduction {
  kMean,  ///< shape {}: the (weighted) mean
  kSum,   ///< shape {}: the sum
  kNone,  ///< per sample ([N]) or per element (the inputs' shape)
};

/// Where label smoothing puts its mass eps.
enum class Smoothing {
  /// Over all K classes (Szegedy et al.; PyTorch, timm, Keras): q = (1 - eps) t + eps / K, so a
  /// hard label gets 1 - eps + eps / K on its class and eps / K elsewhere.
  uniform,
  /// Over the K - 1 other classes (mmpretrain's classy_vision mode, MindSpore): a hard label gets
  /// 1 - eps on its class and eps / (K - 1) elsewhere. For any target row t this is
  /// q = (1 - e) t + e / K with e = eps K / (K - 1): still affine in t. Needs K >= 2.
  others,
};

/// Options of cross_entropy, with PyTorch's CrossEntropyLoss semantics.
struct CrossEntropyOptions {
  /// eps in [0, 1]: the target t becomes q = (1 - eps) t + eps / K (see Smoothing).
  float label_smoothing = 0.0f;
  Smoothing smoothing = Smoothing::uniform;
  /// [K] class weights, or undefined. Hard labels: the mean divides by the summed weights of
  /// the batch's targets (0 when they sum to 0); soft targets: by N.
  Tensor weight{};
  Reduction reduction = Reduction::kMean;
};

/// Cross-entropy from logits [N, K] with a fused, stable log-softmax. targets: class indices as
/// a float tensor [N] of integers in [0, K), or soft targets [N, K] whose rows sum to 1 (then
/// the smoothing applies to them). Per sample: -sum_k w_k q_k log softmax(logits)_k.
/// Differentiable in logits, and in soft targets.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets,
                     const CrossEntropyOptions& options = {});

/// Throws unless `targets` fit logits [N, K] (N, K >= 1) as class ids (a float tensor [N] of
/// integers in [0, K)) or as soft rows [N, K] of entries >= 0 summing to 1 (within 1e-3); `op`
/// names the caller in the message.
void check_class_targets(const char* op, const Tensor& logits, const Tensor& targets);

/// Negative log-likelihood: log_probs [N, K], class indices [N] -> -log_probs[i, y_i], reduced.
Tensor nll(const Tensor& log_probs, const Tensor& targets, Reduction reduction = Reduction::kMean);

/// (a - b)^2 per element; a and b have the same shape. Differentiable in both.
Tensor mse(const Tensor& a, const Tensor& b, Reduction reduction = Reduction::kMean);

/// |a - b| per element (gradient 0 where a = b).
Tensor l1(const Tensor& a, const Tensor& b, Reduction reduction = Reduction::kMean);

/// Huber per element, d = a - b: d^2 / 2 where |d| < delta, else delta (|d| - delta / 2).
Tensor huber(const Tensor& a, const Tensor& b, float delta = 1.0f,
             Reduction reduction = Reduction::kMean);

/// Binary cross-entropy from logits x with targets t in [0, 1] (same shape), in the stable form
/// max(x, 0) - x t + log(1 + exp(-|x|)). Differentiable in both.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets,
                       Reduction reduction = Reduction::kMean);

/// KL(p || q) from log q and p (same shape [N, ...]), PyTorch's F.kl_div(log_q, p,
/// reduction='batchmean'): sum of p (log p - log q) over every element, divided by N; terms with
/// p = 0 count 0. Differentiable in both.
Tensor kl_div(const Tensor& log_q, const Tensor& p);

/// KL(softmax(logits_p) || softmax(logits_q)) over rows of [N, K], divided by N: TRADES'
/// robustness term, with p the clean and q the adversarial prediction. Differentiable in both.
Tensor kl_div_logits(const Tensor& logits_p, const Tensor& logits_q);

}  // namespace dither
