#include "augment/mixing.h"

#include "core/batch.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/index.h"
#include "core/parallel.h"

namespace dither {

std::string to_string(MixMode mode) { return mode == MixMode::sample ? "sample" : "batch"; }

MixMode read_mix_mode(const JsonReader& reader, std::string_view key) {
  return reader.string(key, "batch", {"batch", "sample"}) == "sample" ? MixMode::sample
                                                                      : MixMode::batch;
}

MixPlan draw_mix_plan(const RandomStream& stream, std::int64_t batch, double alpha, MixMode mode) {
  MixPlan plan;
  plan.partner = stream.child(0).permutation(batch);
  plan.lam.assign(static_cast<std::size_t>(batch), 1.0f);
  if (alpha <= 0.0) return plan;
  const RandomStream lam = stream.child(1);
  for (std::int64_t i = 0; i < batch; ++i) {
    const auto draw = static_cast<std::uint64_t>(mode == MixMode::sample ? i : 0);
    plan.lam[static_cast<std::size_t>(i)] = static_cast<float>(lam.beta(draw, alpha, alpha));
  }
  return plan;
}

Tensor mix_rows(const Tensor& x, const MixPlan& plan) {
  const auto b = static_cast<std::int64_t>(plan.partner.size());
  check_shape(x.dim() >= 1 && x.size(0) == b && plan.lam.size() == plan.partner.size(),
              "mix_rows: a plan for ", b, " samples cannot mix ", x.shape());
  Shape column(x.shape().size(), 1);
  column[0] = b;
  std::vector<float> other(plan.lam.size());
  for (std::size_t i = 0; i < other.size(); ++i) other[i] = 1.0f - plan.lam[i];
  if (!x.requires_grad()) {
    // Data (inputs, targets): one pass instead of four ops, the same arithmetic in the same order.
    const std::int64_t row = b == 0 ? 0 : x.numel() / b;
    Tensor out = Tensor::empty(x.shape());
    const float* in = x.ptr();
    float* o = out.ptr();
    parallel_for(
        b,
        [&](std::int64_t i0, std::int64_t i1) {
          for (std::int64_t i = i0; i < i1; ++i) {
            const float* xi = in + i * row;
            const float* xp = in + plan.partner[static_cast<std::size_t>(i)] * row;
            const float w = other[static_cast<std::size_t>(i)];
            for (std::int64_t j = 0; j < row; ++j) o[i * row + j] = xi[j] + (xp[j] - xi[j]) * w;
          }
        },
        std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, row)));
    return out;
  }
  std::vector<float> partner(plan.partner.begin(), plan.partner.end());
  const Tensor mixed = index_select(x, 0, Tensor::from(partner, {b}));
  return add(x, mul(sub(mixed, x), Tensor::from(other, column)));
}

Tensor mix_targets(const Tensor& targets, std::int64_t num_classes, const MixPlan& plan) {
  return mix_rows(soft_targets(targets.detach(), num_classes), plan);
}

void require_soft_target_loss(const HookSetup& setup, const char* technique) {
  if (setup.input.num_classes < 2) {
    throw ConfigError(setup.path + ": " + technique +
                      " mixes class labels; this data has none (it needs a classification set)");
  }
  if (!setup.loss.accepts_soft_targets()) {
    throw ConfigError(setup.path + ": " + technique + " makes soft targets, which loss '" +
                      setup.loss.options().type + "' cannot take; use cross_entropy, gce or sce");
  }
}

}  // namespace dither
