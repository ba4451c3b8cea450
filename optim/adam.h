#pragma once

#include <vector>

#include "optim/optimizer.h"

namespace dither {

/// Options of Adam (Decoupled = false) and AdamW (true); defaults are torch's, whose only
/// difference is AdamW's weight_decay of 0.01.
template <bool Decoupled>
struct AdamFamilyOptions {
  double lr = 1e-3;
  double beta1 = 0.9;    ///< in [0, 1)
  double beta2 = 0.999;  ///< in [0, 1)
  double eps = 1e-8;
  double weight_decay = Decoupled ? 0.01 : 0.0;
  bool amsgrad = false;  ///< divide by the running maximum of the second moment
};
using AdamOptions = AdamFamilyOptions<false>;
using AdamWOptions = AdamFamilyOptions<true>;

/// torch.optim.Adam (Decoupled = false) and torch.optim.AdamW (true). Per parameter, at its
/// step t:
///   Adam:  g = grad + weight_decay * p             AdamW: p *= 1 - lr * weight_decay, g = grad
///   m = beta1 * m + (1 - beta1) * g,  v = beta2 * v + (1 - beta2) * g^2   (v_max = max(v_max, v))
///   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
template <bool Decoupled>
class AdamFamily final : public PerParameterOptimizer {
 public:
  using Options = AdamFamilyOptions<Decoupled>;
  /// Throws ConfigError "adam: ..." / "adamw: ..." on an out-of-range option.
  explicit AdamFamily(std::vector<Tensor> params, Options options = {});
  nlohmann::json to_json() const override;
  const Options& options() const { return options_; }

 private:
  void update(const ParamUpdate& u) override;

  Options options_;
  std::size_t exp_avg_;
  std::size_t exp_avg_sq_;
  std::size_t max_exp_avg_sq_ = 0;  // with amsgrad only
};

using Adam = AdamFamily<false>;
using AdamW = AdamFamily<true>;

extern template class AdamFamily<false>;
extern template class AdamFamily<true>;

}  // namespace dither
