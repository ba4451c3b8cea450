#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/loss.h"
#include "core/tensor.h"

namespace dither {

class JsonReader;

/// What a Loss computes; the JSON keys each type accepts are listed beside it.
struct LossOptions {
  /// "cross_entropy" {label_smoothing, label_smoothing_mode, weight}, "nll", "mse", "l1",
  /// "huber" {delta}, "bce_with_logits", "gce" {q}, "sce" {alpha, beta, log_floor}.
  std::string type = "cross_entropy";
  float label_smoothing = 0.0f;  ///< cross_entropy: eps in [0, 1]
  /// cross_entropy: "label_smoothing_mode" "uniform" (eps / K, PyTorch) or "others"
  /// (eps / (K - 1), mmpretrain's classy_vision).
  Smoothing smoothing = Smoothing::uniform;
  std::vector<float> weight{};  ///< cross_entropy: one weight >= 0 per class, or empty
  float delta = 1.0f;           ///< huber: > 0
  float q = 0.7f;               ///< gce: in (0, 1]
  float alpha = 0.1f;           ///< sce: weight of CE, >= 0
  float beta = 1.0f;            ///< sce: weight of reverse CE, >= 0
  float log_floor = -4.0f;      ///< sce: A, what log 0 of a label becomes in reverse CE, < 0
};

/// The training criterion: outputs and targets in, the mean loss (shape {}) out, through the
/// fused ops of core/ops/loss.h and the robust losses of layers/robust_losses.h.
/// cross_entropy, gce, sce and bce_with_logits take logits; cross_entropy, gce and sce take
/// class indices [N] or soft targets [N, K] (Mixup, CutMix, label smoothing).
class Loss {
 public:
  /// Throws ConfigError for an unknown type or an out-of-range option.
  explicit Loss(LossOptions options = {});

  Tensor operator()(const Tensor& outputs, const Tensor& targets) const;
  const LossOptions& options() const { return options_; }
  /// Sets cross_entropy's smoothing (the label_smoothing hook); throws ConfigError for another
  /// type or an eps outside [0, 1].
  void set_label_smoothing(float eps, Smoothing mode);
  /// Whether targets are classes of logits [N, K]: cross_entropy, nll, gce, sce.
  bool takes_class_targets() const;
  /// Whether soft target rows [N, K] are accepted (what Mixup and CutMix emit): cross_entropy,
  /// gce, sce.
  bool accepts_soft_targets() const;
  /// The full spec, every option of the type filled in; make_loss() reads it back.
  nlohmann::json to_json() const;

 private:
  LossOptions options_;
  Tensor weight_;  // options_.weight as [K]; undefined when empty
};

/// "uniform" or "others": the JSON name of a smoothing mode.
std::string to_string(Smoothing mode);
/// The smoothing mode at `key` ("uniform" when absent; a ConfigError naming the path for
/// anything but "uniform" or "others").
Smoothing read_smoothing_mode(const JsonReader& reader, std::string_view key);

/// Every loss type name.
const std::vector<std::string>& loss_types();

/// Builds a Loss from {"type": "cross_entropy", "label_smoothing": 0.1, "weight": [...]},
/// {"type": "huber", "delta": 1.0}, ...; unknown keys, types and bad values are ConfigErrors
/// naming the JSON path (`loss.label_smoothing: must be a number in [0, 1], got 2`).
Loss make_loss(const nlohmann::json& spec, const std::string& path = "loss");

}  // namespace dither
