#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// What a Loss computes; the JSON keys each type accepts are listed beside it.
struct LossOptions {
  /// "cross_entropy" {label_smoothing, weight}, "nll", "mse", "l1", "huber" {delta},
  /// "bce_with_logits".
  std::string type = "cross_entropy";
  float label_smoothing = 0.0f;  ///< cross_entropy: eps in [0, 1]
  std::vector<float> weight{};   ///< cross_entropy: one weight >= 0 per class, or empty
  float delta = 1.0f;            ///< huber: > 0
};

/// The training criterion: outputs and targets in, the mean loss (shape {}) out, through the
/// fused ops of core/ops/loss.h. cross_entropy and bce_with_logits take logits; cross_entropy
/// takes class indices [N] or soft targets [N, K] (Mixup, CutMix, label smoothing).
class Loss {
 public:
  /// Throws ConfigError for an unknown type or an out-of-range option.
  explicit Loss(LossOptions options = {});

  Tensor operator()(const Tensor& outputs, const Tensor& targets) const;
  const LossOptions& options() const { return options_; }
  /// The full spec, every option of the type filled in; make_loss() reads it back.
  nlohmann::json to_json() const;

 private:
  LossOptions options_;
  Tensor weight_;  // options_.weight as [K]; undefined when empty
};

/// Every loss type name.
const std::vector<std::string>& loss_types();

/// Builds a Loss from {"type": "cross_entropy", "label_smoothing": 0.1, "weight": [...]},
/// {"type": "huber", "delta": 1.0}, ...; unknown keys, types and bad values are ConfigErrors
/// naming the JSON path (`loss.label_smoothing: must be a number in [0, 1], got 2`).
Loss make_loss(const nlohmann::json& spec, const std::string& path = "loss");

}  // namespace dither
