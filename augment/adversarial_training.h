#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/attack.h"
#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// Adversarial training on the one loss (1 - weight) L(x) + weight L(x_adv), where x_adv is a
/// gradient attack (augment/attack.h) on the batch with its true labels, within eps of x and in
/// the dataset's valid range. Three presets of one attack, every key settable on each:
///   {"type": "fgsm", "eps": 0.1, "weight": 0.5}: one step of eps from x (Goodfellow et al.);
///   {"type": "fgsm_rs", "eps": 0.1, "weight": 1}: one step of alpha = 1.25 eps from a uniform
///     random start (Wong et al. 2020, "fast is better than free");
///   {"type": "pgd", "eps": 0.1, "steps": 7, "weight": 1}: k steps of alpha = 2.5 eps / k from a
///     random start (Madry et al. 2018), "restarts" keeping each sample's worst case.
/// Also: "norm" (linf or l2), "alpha", "random_start", "eot_samples", "attack_mode" (eval: no
/// dropout and BatchNorm's running statistics, none of them updated), "ramp_epochs" (eps and
/// alpha rise together from 0), "p". The adversarial loss is a training-mode pass whose
/// BatchNorm statistics are not kept; with weight 1 the batch itself is replaced by x_adv and
/// no clean loss is computed. With 0 < weight < 1, a one-step attack from x (fgsm) takes its
/// gradient from the step's own clean forward (one more backward through its graph, to the
/// inputs only) wherever the attack's pass would compute the same function
/// (augment/forward_reuse.h), and from a pass of its own elsewhere: bitwise the same result.
class AdversarialTrainingHook : public Hook {
 public:
  AdversarialTrainingHook(std::string type, Strength eps, AttackSpec attack, double weight,
                          double p);
  static std::unique_ptr<Hook> fgsm(const nlohmann::json& spec, const std::string& path);
  static std::unique_ptr<Hook> fgsm_rs(const nlohmann::json& spec, const std::string& path);
  static std::unique_ptr<Hook> pgd(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return type_; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override;
  Tensor extra_inputs(StepContext& ctx, const Batch& batch) override;

  const AttackSpec& attack() const { return attack_; }
  /// Off: the attack always runs a pass of its own (what the reuse is compared against).
  void set_forward_reuse(bool on) { reuse_ = on; }

 private:
  Tensor adversarial(const StepContext& ctx, const Batch& batch) const;
  /// x_adv for on_loss: from the training forward's graph when it can serve, else adversarial().
  Tensor adversarial_for_loss(const StepContext& ctx, const Batch& batch, const Tensor& logits);
  std::string type_;
  Strength eps_;
  AttackSpec attack_;
  double weight_;
  bool active_ = false;
  bool reuse_ = true;
  /// The batch's inputs as a leaf that needs a gradient, handed to the training forward by
  /// on_batch when the attack may reuse it; undefined otherwise.
  Tensor input_leaf_;
};

/// Throws ConfigError naming setup.path unless the inputs have a gradient (not token ids).
void require_differentiable_inputs(const HookSetup& setup, const std::string& technique);

}  // namespace dither
