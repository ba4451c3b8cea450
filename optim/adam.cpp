#include "optim/adam.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/parallel.h"

namespace dither {

template <bool Decoupled>
AdamFamily<Decoupled>::AdamFamily(std::vector<Tensor> params, Options options)
    : PerParameterOptimizer(Decoupled ? "adamw" : "adam", std::move(params), options.lr),
      options_(options) {
  check_fraction("beta1", options_.beta1);
  check_fraction("beta2", options_.beta2);
  check_non_negative("eps", options_.eps);
  check_non_negative("weight_decay", options_.weight_decay);
  exp_avg_ = add_slot("exp_avg");
  exp_avg_sq_ = add_slot("exp_avg_sq");
  if (options_.amsgrad) max_exp_avg_sq_ = add_slot("max_exp_avg_sq");
}

template <bool Decoupled>
void AdamFamily<Decoupled>::update(const ParamUpdate& u) {
  const Options& o = options_;
  const auto one_minus_beta1 = static_cast<float>(1.0 - o.beta1);
  const auto beta2 = static_cast<float>(o.beta2);
  const auto one_minus_beta2 = static_cast<float>(1.0 - o.beta2);
  const auto eps = static_cast<float>(o.eps);
  // Adam folds the decay into the gradient (L2); AdamW shrinks the weights directly.
  const auto l2 = static_cast<float>(Decoupled ? 0.0 : o.weight_decay);
  const auto shrink = static_cast<float>(1.0 - lr() * (Decoupled ? o.weight_decay : 0.0));
  // Bias corrections in double, then rounded once, in the order torch computes them.
  const auto t = static_cast<double>(u.step);
  const auto step_size = static_cast<float>(lr() / (1.0 - std::pow(o.beta1, t)));
  const auto correction2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(o.beta2, t)));
  float* m = u.slots[exp_avg_];
  float* v = u.slots[exp_avg_sq_];
  float* v_max = o.amsgrad ? u.slots[max_exp_avg_sq_] : nullptr;
  parallel_for(u.numel, [&](std::int64_t b, std::int64_t e) {
    float* __restrict p = u.param;
    const float* __restrict grad = u.grad;
    float* __restrict avg = m;
    float* __restrict avg_sq = v;
    float* __restrict avg_sq_max = v_max;
    // Branch-free bodies so the loop vectorises: shrink 1 and l2 0 change nothing exactly.
    auto run = [&, shrink, l2, one_minus_beta1, beta2, one_minus_beta2, step_size, correction2_sqrt,
                eps](auto amsgrad) {
      for (std::int64_t i = b; i < e; ++i) {
        p[i] *= shrink;
        const float g = grad[i] + l2 * p[i];
        avg[i] = lerp(avg[i], g, one_minus_beta1);
        avg_sq[i] = beta2 * avg_sq[i] + one_minus_beta2 * g * g;
        float second = avg_sq[i];
        if constexpr (decltype(amsgrad)::value) {
          second = avg_sq_max[i] = std::max(avg_sq_max[i], avg_sq[i]);
        }
        p[i] -= step_size * avg[i] / (std::sqrt(second) / correction2_sqrt + eps);
      }
    };
    if (avg_sq_max != nullptr) {
      run(std::true_type{});
    } else {
      run(std::false_type{});
    }
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
