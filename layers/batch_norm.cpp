#include "layers/batch_norm.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/norm.h"

namespace dither {

BatchNorm::BatchNorm(std::string type, const BatchNormOptions& options, std::int64_t min_rank,
                     std::int64_t max_rank)
    : type_(std::move(type)), options_(options), min_rank_(min_rank), max_rank_(max_rank) {
  check(options.features >= 1, type_, ": features must be >= 1, got ", options.features);
  check(options.momentum >= 0.0 && options.momentum <= 1.0, type_,
        ": momentum must be in [0, 1], got ", options.momentum);
  check(options.eps > 0.0, type_, ": eps must be > 0, got ", options.eps);
  weight_ = register_parameter("weight", Tensor::ones({options.features}));
  bias_ = register_parameter("bias", Tensor::zeros({options.features}));
  running_mean_ = register_buffer("running_mean", Tensor::zeros({options.features}));
  running_var_ = register_buffer("running_var", Tensor::ones({options.features}));
}

Tensor BatchNorm::forward(const Tensor& x) {
  const char* form = max_rank_ == 4 ? "[N,C,H,W]" : "[N,C] or [N,C,L]";
  check_shape(x.dim() >= min_rank_ && x.dim() <= max_rank_ && x.size(1) == options_.features, type_,
              ": expected input ", form, " with C = ", options_.features, ", got ", x.shape());
  return batch_norm(x, weight_, bias_, running_mean_, running_var_, is_training(),
                    static_cast<float>(options_.momentum), static_cast<float>(options_.eps));
}

nlohmann::json BatchNorm::to_json() const {
  return {{"type", type_},
          {"features", options_.features},
          {"momentum", options_.momentum},
          {"eps", options_.eps}};
}

}  // namespace dither
