#include "layers/robust_losses.h"

#include "core/batch.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"
#include "core/ops/reduce.h"
#include "core/ops/softmax.h"
#include "core/ops/unary.h"

namespace dither {
namespace {

// The targets as rows [N, K] (one-hot for class ids), outside the graph: labels are data.
Tensor target_rows(const char* op, const Tensor& logits, const Tensor& targets) {
  check_class_targets(op, logits, targets);
  return soft_targets(targets.detach(), logits.size(1));
}

}  // namespace

Tensor generalized_cross_entropy(const Tensor& logits, const Tensor& targets, float q) {
  check(q > 0.0f && q <= 1.0f, "gce: q must be in (0, 1], got ", q);
  const Tensor t = target_rows("gce", logits, targets);
  const Tensor p_q = exp(mul(log_softmax(logits, 1), q));               // p^q
  const Tensor per_sample = div(rsub(1.0f, sum(mul(p_q, t), {1})), q);  // (1 - sum t p^q) / q
  return mean(per_sample);
}

Tensor symmetric_cross_entropy(const Tensor& logits, const Tensor& targets, float alpha, float beta,
                               float log_floor) {
  check(log_floor < 0.0f, "sce: log_floor must be < 0, got ", log_floor);
  const Tensor t = target_rows("sce", logits, targets);
  const Tensor log_t = clamp(log(t), log_floor, 0.0f);  // log 0 = -inf becomes A
  const Tensor rce = neg(sum(mul(softmax(logits, 1), log_t), {1}));
  return add(mul(cross_entropy(logits, targets), alpha), mul(mean(rce), beta));
}

}  // namespace dither
