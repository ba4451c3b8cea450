#include "optim/rmsprop.h"

#include <cmath>

#include "core/parallel.h"

namespace dither {

Rmsprop::Rmsprop(std::vector<Tensor> params, RmspropOptions options)
    : Optimizer("rmsprop", std::move(params), options.lr), options_(options) {
  check_fraction("alpha", options_.alpha);
  check_non_negative("eps", options_.eps);
  check_non_negative("weight_decay", options_.weight_decay);
  check_fraction("momentum", options_.momentum);
  square_avg_ = add_slot("square_avg");
  if (options_.momentum > 0.0) momentum_buffer_ = add_slot("momentum_buffer");
  if (options_.centered) grad_avg_ = add_slot("grad_avg");
}

void Rmsprop::step() {
  const auto rate = static_cast<float>(lr());
  const auto alpha = static_cast<float>(options_.alpha);
  const auto one_minus_alpha = static_cast<float>(1.0 - options_.alpha);
  const auto eps = static_cast<float>(options_.eps);
  const auto decay = static_cast<float>(options_.weight_decay);
  const auto momentum = static_cast<float>(options_.momentum);
  for_each_update([&](const ParamUpdate& u) {
    float* s = u.slots[square_avg_];
    float* buf = options_.momentum > 0.0 ? u.slots[momentum_buffer_] : nullptr;
    float* a = options_.centered ? u.slots[grad_avg_] : nullptr;
    parallel_for(u.numel, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        const float g = decay != 0.0f ? u.grad[i] + decay * u.param[i] : u.grad[i];
        s[i] = alpha * s[i] + one_minus_alpha * g * g;
        float d;
        if (a != nullptr) {
          a[i] = lerp(a[i], g, one_minus_alpha);
          d = std::sqrt(s[i] - a[i] * a[i]) + eps;
        } else {
          d = std::sqrt(s[i]) + eps;
        }
        if (buf != nullptr) {
          buf[i] = momentum * buf[i] + g / d;
          u.param[i] -= rate * buf[i];
        } else {
          u.param[i] -= rate * g / d;
        }
      }
    });
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
