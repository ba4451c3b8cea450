#pragma once

#include <vector>

#include "optim/optimizer.h"

namespace dither {

/// Defaults are torch.optim.SGD's.
struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0.0;      ///< in [0, 1)
  double dampening = 0.0;     ///< in [0, 1)
  bool nesterov = false;      ///< needs momentum > 0 and dampening 0
  double weight_decay = 0.0;  ///< L2: adds weight_decay * param to the gradient
};

/// Stochastic gradient descent, torch.optim.SGD's update:
///   g = grad + weight_decay * p
///   b = g on a parameter's first step, else momentum * b + (1 - dampening) * g
///   p -= lr * (nesterov ? g + momentum * b : b)      (p -= lr * g without momentum)
class Sgd final : public PerParameterOptimizer {
 public:
  /// Throws ConfigError "sgd: ..." on an out-of-range option.
  explicit Sgd(std::vector<Tensor> params, SgdOptions options = {});
  nlohmann::json to_json() const override;
  const SgdOptions& options() const { return options_; }

 private:
  void update(const ParamUpdate& u) override;

  SgdOptions options_;
  std::size_t buffer_ = 0;  // slot of the momentum buffers, when momentum > 0
};

}  // namespace dither
