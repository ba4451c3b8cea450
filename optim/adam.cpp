#include "optim/adam.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

namespace dither {

template <bool Decoupled>
AdamFamily<Decoupled>::AdamFamily(std::vector<Tensor> params, Options options)
    : Optimizer(Decoupled ? "adamw" : "adam", std::move(params), options.lr), options_(options) {
  check_fraction("beta1", options_.beta1);
  check_fraction("beta2", options_.beta2);
  check_non_negative("eps", options_.eps);
  check_non_negative("weight_decay", options_.weight_decay);
  exp_avg_ = add_slot("exp_avg");
  exp_avg_sq_ = add_slot("exp_avg_sq");
  if (options_.amsgrad) max_exp_avg_sq_ = add_slot("max_exp_avg_sq");
}

template <bool Decoupled>
void AdamFamily<Decoupled>::step() {
  const Options& o = options_;
  const auto one_minus_beta1 = static_cast<float>(1.0 - o.beta1);
  const auto beta2 = static_cast<float>(o.beta2);
  const auto one_minus_beta2 = static_cast<float>(1.0 - o.beta2);
  const auto eps = static_cast<float>(o.eps);
  // Adam folds the decay into the gradient (L2); AdamW shrinks the weights directly.
  const auto l2 = static_cast<float>(Decoupled ? 0.0 : o.weight_decay);
  const auto shrink = static_cast<float>(1.0 - lr() * (Decoupled ? o.weight_decay : 0.0));
  for_each_update([&](const ParamUpdate& u) {
    // Bias corrections in double, then rounded once, in the order torch computes them.
    const auto t = static_cast<double>(u.step);
    const auto step_size = static_cast<float>(lr() / (1.0 - std::pow(o.beta1, t)));
    const auto correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(o.beta2, t)));
    float* m = u.slots[exp_avg_];
    float* v = u.slots[exp_avg_sq_];
    float* v_max = o.amsgrad ? u.slots[max_exp_avg_sq_] : nullptr;
    parallel_for(u.numel, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        if (shrink != 1.0f) u.param[i] *= shrink;
        const float g = l2 != 0.0f ? u.grad[i] + l2 * u.param[i] : u.grad[i];
        m[i] = lerp(m[i], g, one_minus_beta1);
        v[i] = beta2 * v[i] + one_minus_beta2 * g * g;
        float second = v[i];
        if (v_max != nullptr) second = v_max[i] = std::max(v_max[i], v[i]);
        const float denom = std::sqrt(second) / correction2_sqrt + eps;
        u.param[i] -= step_size * m[i] / denom;
      }
    });
  });
}

template <bool Decoupled>
nlohmann::json AdamFamily<Decoupled>::to_json() const {
  return {{"type", type()},
          {"lr", options_.lr},
          {"betas", {options_.beta1, options_.beta2}},
          {"eps", options_.eps},
          {"weight_decay", options_.weight_decay},
          {"amsgrad", options_.amsgrad}};
}

template class AdamFamily<false>;
template class AdamFamily<true>;

}  // namespace dither
