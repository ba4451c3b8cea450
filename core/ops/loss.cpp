#include "core/ops/loss.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/map.h"
#include "core/ops/softmax.h"
#include "core/parallel.h"

namespace dither {
namespace {

// fn(row) for each of `rows` rows of `cols` values, split across the thread budget.
template <class Fn>
void for_rows(std::int64_t rows, std::int64_t cols, const Fn& fn) {
  parallel_for(
      rows,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) fn(r);
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(cols, 1)));
}

void check_rows(const char* op, const char* role, const Tensor& t) {
  check_shape(t.dim() == 2 && t.size(0) >= 1 && t.size(1) >= 1, op, ": ", role,
              " must be [N, K] with N, K >= 1, got ", t.shape());
}

// Row-wise log-softmax values of [N, K], outside the graph: the fused losses differentiate
// through them by hand.
Tensor log_softmax_rows(const Tensor& z) { return log_softmax(z.detach(), 1); }

// Class indices stored as floats [N]: each must be an integer in [0, k).
void check_class_indices(const char* op, const Tensor& targets, std::int64_t n, std::int64_t k) {
  check_shape(targets.shape() == Shape{n}, op, ": class-index targets must be [", n,
              "] for input [", n, ",", k, "], got ", targets.shape());
  const float* pt = targets.ptr();
  for (std::int64_t i = 0; i < n; ++i) {
    const float y = pt[i];
    check(y >= 0.0f && y < static_cast<float>(k) && std::floor(y) == y, op, ": target ", y,
          " at index ", i, " is not a class index in [0, ", k, ")");
  }
}

std::int64_t class_of(const float* targets, std::int64_t i) {
  return static_cast<std::int64_t>(targets[i]);
}

// Per-sample values reduced as asked; `denominator` divides the mean (0 gives 0).
Tensor reduce_values(const Tensor& values, Reduction reduction, double denominator) {
  if (reduction == Reduction::kNone) return values;
  const float* pv = values.ptr();
  const double total = parallel_sum(values.numel(), [&](std::int64_t b, std::int64_t e) {
    double s = 0.0;
    for (std::int64_t i = b; i < e; ++i) s += pv[i];
    return s;
  });
  if (reduction == Reduction::kSum) return Tensor::scalar(static_cast<float>(total));
  return Tensor::scalar(denominator != 0.0 ? static_cast<float>(total / denominator) : 0.0f);
}

// The gradient reaching per-sample value i: g[i] without reduction, else g / denominator or g.
class Upstream {
 public:
  Upstream(const Tensor& g, Reduction reduction, double denominator)
      : g_(g.ptr()), per_item_(reduction == Reduction::kNone) {
    if (!per_item_) {
      const double divide = reduction == Reduction::kMean ? denominator : 1.0;
      scale_ = divide != 0.0 ? static_cast<float>(g.item() / divide) : 0.0f;
    }
  }
  float operator()(std::int64_t i) const { return per_item_ ? g_[i] : scale_; }

 private:
  const float* g_;
  bool per_item_;
  float scale_ = 0.0f;
};

// value(a, b) per element, reduced; partials(a, b) -> {d/da, d/db}.
template <class Value, class Partials>
Tensor elementwise_loss(const char* op, const Tensor& a, const Tensor& b, Reduction reduction,
                        Value value, Partials partials) {
  check_shape(a.shape() == b.shape(), op, ": inputs ", a.shape(), " and ", b.shape(),
              " must have the same shape");
  check_shape(a.numel() > 0, op, ": empty input ", a.shape());
  const double count = static_cast<double>(a.numel());
  Tensor out = reduce_values(binary_map(op, a, b, value), reduction, count);
  // d/da = upstream * partials(a, b).first, d/db = upstream * partials(a, b).second
  return record(op, out, {a, b},
                [a = a.detach(), b = b.detach(), reduction, count, partials](
                    const Tensor& g, const NeedsGrad& needs) {
                  const Upstream up(g, reduction, count);
                  Tensor ga = needs[0] ? Tensor::empty(a.shape()) : Tensor();
                  Tensor gb = needs[1] ? Tensor::empty(b.shape()) : Tensor();
                  const float* pa = a.ptr();
                  const float* pb = b.ptr();
                  float* pga = needs[0] ? ga.ptr() : nullptr;
                  float* pgb = needs[1] ? gb.ptr() : nullptr;
                  parallel_for(a.numel(), [&](std::int64_t s, std::int64_t e) {
                    for (std::int64_t i = s; i < e; ++i) {
                      const auto [da, db] = partials(pa[i], pb[i]);
                      if (pga != nullptr) pga[i] = up(i) * da;
                      if (pgb != nullptr) pgb[i] = up(i) * db;
                    }
                  });
                  return std::vector<Tensor>{ga, gb};
                });
}

void check_soft_targets(const char* op, const Tensor& targets, const Shape& logits_shape) {
  check_shape(targets.shape() == logits_shape, op, ": soft targets ", targets.shape(),
              " must match logits ", logits_shape);
  const std::int64_t k = targets.size(1);
  const float* pt = targets.ptr();
  for (std::int64_t i = 0; i < targets.size(0); ++i) {
    double total = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
      check(pt[i * k + j] >= 0.0f, op, ": soft target row ", i, " has a negative entry ",
            pt[i * k + j]);
      total += pt[i * k + j];
    }
    check(std::abs(total - 1.0) <= 1e-3, op, ": soft target row ", i, " sums to ", total,
          ", not 1 (K = ", k, ")");
  }
}

}  // namespace

void check_class_targets(const char* op, const Tensor& logits, const Tensor& targets) {
  check_rows(op, "logits", logits);
  if (targets.dim() == 2) {
    check_soft_targets(op, targets, logits.shape());
  } else {
    check_class_indices(op, targets, logits.size(0), logits.size(1));
  }
}

Tensor cross_entropy(const Tensor& logits, const Tensor& targets,
                     const CrossEntropyOptions& options) {
  check_class_targets("cross_entropy", logits, targets);
  const std::int64_t n = logits.size(0);
  const std::int64_t k = logits.size(1);
  check(options.label_smoothing >= 0.0f && options.label_smoothing <= 1.0f,
        "cross_entropy: label_smoothing must be in [0, 1], got ", options.label_smoothing);
  check(options.smoothing == Smoothing::uniform || k >= 2,
        "cross_entropy: smoothing over the other classes needs K >= 2, got logits ",
        logits.shape());
  // Both modes are q = (1 - eps) t + eps / K; `others` rescales eps (see Smoothing).
  const float eps =
      options.smoothing == Smoothing::others
          ? options.label_smoothing * static_cast<float>(k) / static_cast<float>(k - 1)
          : options.label_smoothing;
  const Tensor weight = options.weight.defined() ? options.weight.detach() : Tensor();
  check_shape(!weight.defined() || weight.shape() == Shape{k}, "cross_entropy: weight ",
              weight.defined() ? weight.shape() : Shape{}, " must be [", k, "] for logits ",
              logits.shape());
  const bool soft = targets.dim() == 2;
  const Tensor t = targets.detach();
  // Per sample, loss = -sum_j c_j log p_j with c_j = w_j q_j, q = (1 - eps) target + eps / K.
  const auto coefficient = [t, weight, soft, eps, k](std::int64_t i, std::int64_t j) {
    const float* pt = t.ptr();
    const float target = soft ? pt[i * k + j] : (class_of(pt, i) == j ? 1.0f : 0.0f);
    const float q = (1.0f - eps) * target + eps / static_cast<float>(k);
    return weight.defined() ? weight.ptr()[j] * q : q;
  };
  double denominator = static_cast<double>(n);
  if (!soft && weight.defined()) {
    denominator = 0.0;
    for (std::int64_t i = 0; i < n; ++i) denominator += weight.ptr()[class_of(t.ptr(), i)];
  }
  const Tensor log_p = log_softmax_rows(logits);
  Tensor values = Tensor::empty({n});
  const float* lp = log_p.ptr();
  float* pv = values.ptr();
  for_rows(n, k, [&](std::int64_t i) {
    double total = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
      const float c = coefficient(i, j);
      if (c != 0.0f) total -= static_cast<double>(c) * lp[i * k + j];
    }
    pv[i] = static_cast<float>(total);
  });
  const Reduction reduction = options.reduction;
  Tensor out = reduce_values(values, reduction, denominator);
  // dL/dz_j = p_j sum_k c_k - c_j; dL/dtarget_j = -(1 - eps) w_j log p_j (soft targets)
  return record("cross_entropy", out, {logits, soft ? targets : Tensor()},
                [log_p, coefficient, weight, eps, n, k, reduction, denominator](
                    const Tensor& g, const NeedsGrad& needs) {
                  const Upstream up(g, reduction, denominator);
                  const float* lp = log_p.ptr();
                  Tensor g_logits = needs[0] ? Tensor::empty({n, k}) : Tensor();
                  Tensor g_targets = needs[1] ? Tensor::empty({n, k}) : Tensor();
                  for_rows(n, k, [&](std::int64_t i) {
                    if (needs[0]) {
                      float total = 0.0f;
                      for (std::int64_t j = 0; j < k; ++j) total += coefficient(i, j);
                      float* row = g_logits.ptr() + i * k;
                      for (std::int64_t j = 0; j < k; ++j) {
                        row[j] = up(i) * (std::exp(lp[i * k + j]) * total - coefficient(i, j));
                      }
                    }
                    if (needs[1]) {
                      float* row = g_targets.ptr() + i * k;
                      for (std::int64_t j = 0; j < k; ++j) {
                        const float w = weight.defined() ? weight.ptr()[j] : 1.0f;
                        row[j] = -up(i) * (1.0f - eps) * w * lp[i * k + j];
                      }
                    }
                  });
                  return std::vector<Tensor>{g_logits, g_targets};
                });
}

Tensor nll(const Tensor& log_probs, const Tensor& targets, Reduction reduction) {
  check_rows("nll", "log_probs", log_probs);
  const std::int64_t n = log_probs.size(0);
  const std::int64_t k = log_probs.size(1);
  check_class_indices("nll", targets, n, k);
  Tensor values = Tensor::empty({n});
  const float* pt = targets.ptr();
  for (std::int64_t i = 0; i < n; ++i) {
    values.ptr()[i] = -log_probs.ptr()[i * k + class_of(pt, i)];
  }
  Tensor out = reduce_values(values, reduction, static_cast<double>(n));
  // dL/dlog_probs[i, y_i] = -1, 0 elsewhere
  return record("nll", out, {log_probs},
                [t = targets.detach(), n, k, reduction](const Tensor& g, const NeedsGrad&) {
                  const Upstream up(g, reduction, static_cast<double>(n));
                  Tensor grad = Tensor::zeros({n, k});
                  for (std::int64_t i = 0; i < n; ++i) {
                    grad.ptr()[i * k + class_of(t.ptr(), i)] = -up(i);
                  }
                  return std::vector<Tensor>{grad};
                });
}

Tensor mse(const Tensor& a, const Tensor& b, Reduction reduction) {
  return elementwise_loss(
      "mse", a, b, reduction, [](float x, float y) { return (x - y) * (x - y); },
      [](float x, float y) {
        return std::pair{2.0f * (x - y), -2.0f * (x - y)};
      });
}

Tensor l1(const Tensor& a, const Tensor& b, Reduction reduction) {
  return elementwise_loss(
      "l1", a, b, reduction, [](float x, float y) { return std::abs(x - y); },
      [](float x, float y) {
        const float sign = x > y ? 1.0f : (x < y ? -1.0f : 0.0f);
        return std::pair{sign, -sign};
      });
}

Tensor huber(const Tensor& a, const Tensor& b, float delta, Reduction reduction) {
  check(delta > 0.0f, "huber: delta must be > 0, got ", delta);
  return elementwise_loss(
      "huber", a, b, reduction,
      [delta](float x, float y) {
        const float d = std::abs(x - y);
        return d < delta ? 0.5f * d * d : delta * (d - 0.5f * delta);
      },
      [delta](float x, float y) {
        const float slope = std::clamp(x - y, -delta, delta);
        return std::pair{slope, -slope};
      });
}

Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, Reduction reduction) {
  return elementwise_loss(
      "bce_with_logits", logits, targets, reduction,
      [](float x, float t) {
        return std::max(x, 0.0f) - x * t + std::log1p(std::exp(-std::abs(x)));
      },
      [](float x, float t) {
        // sigmoid without overflow for either sign of x
        const float e = std::exp(-std::abs(x));
        const float sigmoid = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
        return std::pair{sigmoid - t, -x};
      });
}

Tensor kl_div(const Tensor& log_q, const Tensor& p) {
  check_shape(log_q.dim() >= 1 && log_q.size(0) >= 1,
              "kl_div: input must be [N, ...] with N >= 1, got ", log_q.shape());
  const float batch = static_cast<float>(log_q.size(0));
  const Tensor total = elementwise_loss(
      "kl_div", log_q, p, Reduction::kSum,
      [](float lq, float pv) { return pv > 0.0f ? pv * (std::log(pv) - lq) : 0.0f; },
      [](float lq, float pv) {
        return std::pair{-pv, pv > 0.0f ? std::log(pv) + 1.0f - lq : 0.0f};
      });
  return mul(total, 1.0f / batch);
}

Tensor kl_div_logits(const Tensor& logits_p, const Tensor& logits_q) {
  check_rows("kl_div_logits", "logits_p", logits_p);
  check_shape(logits_q.shape() == logits_p.shape(), "kl_div_logits: logits_q ", logits_q.shape(),
              " must match logits_p ", logits_p.shape());
  const std::int64_t n = logits_p.size(0);
  const std::int64_t k = logits_p.size(1);
  const Tensor log_p = log_softmax_rows(logits_p);
  const Tensor log_q = log_softmax_rows(logits_q);
  Tensor values = Tensor::empty({n});
  const float* lp = log_p.ptr();
  const float* lq = log_q.ptr();
  for_rows(n, k, [&](std::int64_t i) {
    double total = 0.0;
    for (std::int64_t j = 0; j < k; ++j) {
      total += std::exp(static_cast<double>(lp[i * k + j])) * (lp[i * k + j] - lq[i * k + j]);
    }
    values.ptr()[i] = static_cast<float>(total);
  });
  Tensor out = reduce_values(values, Reduction::kMean, static_cast<double>(n));
  // r = log p - log q: dKL/dz_p = p (r - sum p r), dKL/dz_q = q - p (each divided by N)
  return record("kl_div_logits", out, {logits_p, logits_q},
                [log_p, log_q, n, k](const Tensor& g, const NeedsGrad& needs) {
                  const Upstream up(g, Reduction::kMean, static_cast<double>(n));
                  Tensor gp = needs[0] ? Tensor::empty({n, k}) : Tensor();
                  Tensor gq = needs[1] ? Tensor::empty({n, k}) : Tensor();
                  const float* lp = log_p.ptr();
                  const float* lq = log_q.ptr();
                  for_rows(n, k, [&](std::int64_t i) {
                    const float* rp = lp + i * k;
                    const float* rq = lq + i * k;
                    if (needs[0]) {
                      float mean_r = 0.0f;
                      for (std::int64_t j = 0; j < k; ++j)
                        mean_r += std::exp(rp[j]) * (rp[j] - rq[j]);
                      for (std::int64_t j = 0; j < k; ++j) {
                        gp.ptr()[i * k + j] = up(i) * std::exp(rp[j]) * (rp[j] - rq[j] - mean_r);
                      }
                    }
                    if (needs[1]) {
                      for (std::int64_t j = 0; j < k; ++j) {
                        gq.ptr()[i * k + j] = up(i) * (std::exp(rq[j]) - std::exp(rp[j]));
                      }
                    }
                  });
                  return std::vector<Tensor>{gp, gq};
                });
}

}  // namespace dither
