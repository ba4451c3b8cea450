#include "optim/sgd.h"

#include "core/error.h"
#include "core/parallel.h"

namespace dither {

Sgd::Sgd(std::vector<Tensor> params, SgdOptions options)
    : Optimizer("sgd", std::move(params), options.lr), options_(options) {
  check_fraction("momentum", options_.momentum);
  check_fraction("dampening", options_.dampening);
  check_non_negative("weight_decay", options_.weight_decay);
  if (options_.nesterov && (options_.momentum <= 0.0 || options_.dampening != 0.0)) {
    throw ConfigError(str("sgd: nesterov needs momentum > 0 and dampening 0, got momentum ",
                          options_.momentum, " and dampening ", options_.dampening));
  }
  if (options_.momentum > 0.0) buffer_ = add_slot("momentum_buffer");
}

void Sgd::step() {
  const auto rate = static_cast<float>(lr());
  const auto decay = static_cast<float>(options_.weight_decay);
  const auto momentum = static_cast<float>(options_.momentum);
  const auto keep = static_cast<float>(1.0 - options_.dampening);
  const bool nesterov = options_.nesterov;
  for_each_update([&](const ParamUpdate& u) {
    float* buf = options_.momentum > 0.0 ? u.slots[buffer_] : nullptr;
    // torch starts the buffer at the first gradient itself, undamped.
    const bool first = u.step == 1;
    parallel_for(u.numel, [&](std::int64_t b, std::int64_t e) {
      float* __restrict p = u.param;
      const float* __restrict grad = u.grad;
      // One branch-free loop per case, so each vectorises; decay 0 adds exactly 0.
      if (buf == nullptr) {
        for (std::int64_t i = b; i < e; ++i) p[i] -= rate * (grad[i] + decay * p[i]);
      } else if (first) {
        for (std::int64_t i = b; i < e; ++i) {
          const float g = grad[i] + decay * p[i];
          buf[i] = g;
          p[i] -= rate * (nesterov ? g + momentum * g : g);
        }
      } else if (nesterov) {
        for (std::int64_t i = b; i < e; ++i) {
          const float g = grad[i] + decay * p[i];
          buf[i] = momentum * buf[i] + keep * g;
          p[i] -= rate * (g + momentum * buf[i]);
        }
      } else {
        for (std::int64_t i = b; i < e; ++i) {
          buf[i] = momentum * buf[i] + keep * (grad[i] + decay * p[i]);
          p[i] -= rate * buf[i];
        }
      }
    });
  });
}

nlohmann::json Sgd::to_json() const {
  return {{"type", "sgd"},
          {"lr", options_.lr},
          {"momentum", options_.momentum},
          {"dampening", options_.dampening},
          {"nesterov", options_.nesterov},
          {"weight_decay", options_.weight_decay}};
}

}  // namespace dither
