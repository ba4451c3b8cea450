#pragma once

#include <vector>

#include "optim/optimizer.h"

namespace dither {

/// Defaults are torch.optim.RMSprop's.
struct RmspropOptions {
  double lr = 1e-2;
  double alpha = 0.99;  ///< smoothing of the squared-gradient average, in [0, 1)
  double eps = 1e-8;
  double weight_decay = 0.0;  ///< L2: adds weight_decay * param to the gradient
  double momentum = 0.0;      ///< in [0, 1)
  bool centered = false;      ///< divide by an estimate of the variance instead of the raw moment
};

/// torch.optim.RMSprop's update:
///   g = grad + weight_decay * p,  s = alpha * s + (1 - alpha) * g^2
///   centered: a = alpha * a + (1 - alpha) * g,  d = sqrt(s - a^2) + eps;  else d = sqrt(s) + eps
///   momentum: b = momentum * b + g / d, p -= lr * b;  else p -= lr * g / d
class Rmsprop final : public PerParameterOptimizer {
 public:
  /// Throws ConfigError "rmsprop: ..." on an out-of-range option.
  explicit Rmsprop(std::vector<Tensor> params, RmspropOptions options = {});
  nlohmann::json to_json() const override;
  const RmspropOptions& options() const { return options_; }

 private:
  void update(const ParamUpdate& u) override;

  RmspropOptions options_;
  std::size_t square_avg_;
  std::size_t momentum_buffer_ = 0;  // with momentum > 0 only
  std::size_t grad_avg_ = 0;         // when centered only
};

}  // namespace dither
