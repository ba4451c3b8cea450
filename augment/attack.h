#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/passes.h"
#include "core/json_reader.h"
#include "core/random.h"
#include "core/tensor.h"

namespace dither {

/// The threat model's ball: the largest absolute change of any input value (l-inf), or the
/// Euclidean length of each sample's change (l2).
enum class AttackNorm { linf, l2 };

std::string to_string(AttackNorm norm);

/// One gradient attack, in the units the model sees (images in [0, 1]). FGSM is steps 1, alpha
/// eps, no random start; FGSM-RS (Wong et al. 2020) steps 1, alpha 1.25 eps, random start; PGD
/// (Madry et al. 2018) k steps of alpha from a random start, each followed by the projection onto
/// the eps ball and the valid range.
struct AttackSpec {
  AttackNorm norm = AttackNorm::linf;
  double eps = 0.1;
  double alpha = 0.1;  ///< step size: the sign step for l-inf, the step's l2 length for l2
  std::int64_t steps = 1;
  /// Starts from independent random points, keeping per sample the one with the highest loss.
  std::int64_t restarts = 1;
  /// Start uniformly in the l-inf ball, or in the l2 ball at a uniform radius (as torchattacks).
  bool random_start = false;
  /// Expectation over Transformation: each step's gradient is the mean over this many draws of
  /// the model's own noise. Needs a mode that draws noise (mc or train).
  std::int64_t eot_samples = 1;
  PassMode mode = PassMode::eval;

  /// Reads the attack's keys with `defaults`, for the given eps (the caller reads eps, which a
  /// hook may ramp): norm, alpha (default alpha_per_eps * eps), steps, restarts, random_start,
  /// eot_samples and attack_mode. Throws ConfigError naming the key for out-of-range values
  /// and for EOT in eval mode, where the model draws no noise.
  static AttackSpec read(const JsonReader& reader, double eps, const AttackSpec& defaults,
                         double alpha_per_eps);
  /// The keys read() reads.
  static std::vector<std::string> keys();
  /// Writes the keys read() reads (not eps).
  void write(nlohmann::json& spec) const;
  /// This attack with eps (and alpha with it) scaled to `eps`: the shape of an eps ramp.
  AttackSpec at_eps(double eps) const;
  /// True for one step from x itself along one gradient at x (FGSM): no random start, restart
  /// or EOT average, so the gradient of the step's own clean forward can serve it.
  bool one_step_from_input() const;
};

/// What an attack maximises: per-sample values [B] of a differentiable function of the logits.
/// The gradient follows their sum, so each sample's gradient is its own.
using PerSampleObjective = std::function<Tensor(const Tensor& logits)>;

/// Per-sample cross-entropy against class ids [B] or soft rows [B, K]: the usual objective.
PerSampleObjective cross_entropy_objective(const Tensor& targets);
/// Per-sample KL(softmax(clean_logits) || softmax(logits)) with clean_logits fixed: the TRADES
/// attack's objective.
PerSampleObjective kl_objective(const Tensor& clean_logits);

/// The adversarial inputs of `spec` against the model behind `passes`, within eps of x and the
/// valid range [low, high]. Random starts draw from `stream`; a defined `start` replaces the
/// first start (TRADES' small Gaussian). Runs through ExtraPasses, so no BatchNorm statistic,
/// parameter gradient or model mode is changed.
Tensor run_attack(const AttackSpec& spec, const Tensor& x, const PerSampleObjective& objective,
                  ExtraPasses& passes, const RandomStream& stream, float low, float high,
                  const Tensor& start = Tensor());

/// d sum(objective(model(x))) / dx, averaged over `samples` passes (EOT; one pass when 1).
Tensor attack_gradient(const Tensor& x, const PerSampleObjective& objective, ExtraPasses& passes,
                       PassMode mode, std::int64_t samples);

/// One step of `spec` from `adv` along `grad` (at adv), projected onto the eps ball around x and
/// the range [low, high]: linf_step or l2_step (augment/attack_steps.h) with spec's alpha and eps.
Tensor attack_step(const AttackSpec& spec, const Tensor& adv, const Tensor& grad, const Tensor& x,
                   float low, float high);

/// clip(x + eps * sign(grad), low, high): the fast gradient sign step (Goodfellow et al. 2015).
Tensor fgsm_perturb(const Tensor& x, const Tensor& grad, float eps, float low, float high);

}  // namespace dither
