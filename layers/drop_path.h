#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

/// Stochastic depth (Huang et al. 2016) as timm's DropPath(drop_prob, scale_by_keep=True): while
/// training, each sample n of x [N, ...] is zeroed as a whole with probability p and otherwise
/// scaled by 1 / (1 - p) (mask [N, 1, ..., 1], element n from counter n of
/// noise_stream("drop_path")); the identity (x itself) in eval, so eval needs no rescaling.
/// Placed as the last layer of a residual branch, {"type": "residual", "layers": [..., {"type":
/// "drop_path", "p": 0.1}]}, it drops the branch per sample: y = x + mask * f(x). Elsewhere it
/// would drop the whole signal of a sample, which is rarely wanted. Huang et al. drop a block
/// for the whole batch and scale by the survival probability at test time instead; the
/// per-sample inverted form is what timm and most models since use. Their linear rule (p rising
/// with depth to 0.5 at the last block) is written out per block in the config.
/// JSON: {"type": "drop_path", "p": 0.1}.
class DropPath : public Module {
 public:
  /// Throws ConfigError unless p is in [0, 1].
  explicit DropPath(double p = 0.1);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "drop_path"; }
  nlohmann::json to_json() const override;

  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace dither
