#include "optim/rmsprop.h"

#include <cmath>
#include <type_traits>

#include "core/parallel.h"

namespace dither {

Rmsprop::Rmsprop(std::vector<Tensor> params, RmspropOptions options)
    : PerParameterOptimizer("rmsprop", std::move(params), options.lr), options_(options) {
  check_fraction("alpha", options_.alpha);
  check_non_negative("eps", options_.eps);
  check_non_negative("weight_decay", options_.weight_decay);
  check_fraction("momentum", options_.momentum);
  square_avg_ = add_slot("square_avg");
  if (options_.momentum > 0.0) momentum_buffer_ = add_slot("momentum_buffer");
  if (options_.centered) grad_avg_ = add_slot("grad_avg");
}

void Rmsprop::update(const ParamUpdate& u) {
  const auto rate = static_cast<float>(lr());
  const auto alpha = static_cast<float>(options_.alpha);
  const auto one_minus_alpha = static_cast<float>(1.0 - options_.alpha);
  const auto eps = static_cast<float>(options_.eps);
  const auto decay = static_cast<float>(options_.weight_decay);
  const auto momentum = static_cast<float>(options_.momentum);
  float* s = u.slots[square_avg_];
  float* buf = options_.momentum > 0.0 ? u.slots[momentum_buffer_] : nullptr;
  float* a = options_.centered ? u.slots[grad_avg_] : nullptr;
  parallel_for(u.numel, [&](std::int64_t b, std::int64_t e) {
    float* __restrict p = u.param;
    const float* __restrict grad = u.grad;
    float* __restrict sq = s;
    float* __restrict mean = a;
    float* __restrict velocity = buf;
    // One branch-free body per case, scalars copied in, so each loop vectorises; decay 0 adds
    // exactly 0.
    auto run = [&, rate, alpha, one_minus_alpha, eps, decay, momentum](auto centered,
                                                                       auto with_momentum) {
      for (std::int64_t i = b; i < e; ++i) {
        const float g = grad[i] + decay * p[i];
        sq[i] = alpha * sq[i] + one_minus_alpha * g * g;
        float d;
        if constexpr (decltype(centered)::value) {
          mean[i] = lerp(mean[i], g, one_minus_alpha);
          d = std::sqrt(sq[i] - mean[i] * mean[i]) + eps;
        } else {
          d = std::sqrt(sq[i]) + eps;
        }
        if constexpr (decltype(with_momentum)::value) {
          velocity[i] = momentum * velocity[i] + g / d;
          p[i] -= rate * velocity[i];
        } else {
          p[i] -= rate * g / d;
        }
      }
    };
    if (mean != nullptr && velocity != nullptr) {
      run(std::true_type{}, std::true_type{});
    } else if (mean != nullptr) {
      run(std::true_type{}, std::false_type{});
    } else if (velocity != nullptr) {
      run(std::false_type{}, std::true_type{});
    } else {
      run(std::false_type{}, std::false_type{});
    }
  });
}

nlohmann::json Rmsprop::to_json() const {
  return {{"type", "rmsprop"},
          {"lr", options_.lr},
          {"alpha", options_.alpha},
          {"eps", options_.eps},
          {"weight_decay", options_.weight_decay},
          {"momentum", options_.momentum},
          {"centered", options_.centered}};
}

}  // namespace dither
