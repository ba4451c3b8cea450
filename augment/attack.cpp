#include "augment/attack.h"

#include <algorithm>
#include <vector>

#include "augment/attack_steps.h"
#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"
#include "core/ops/reduce.h"
#include "core/ops/softmax.h"

namespace dither {

std::string to_string(AttackNorm norm) { return norm == AttackNorm::l2 ? "l2" : "linf"; }

AttackSpec AttackSpec::read(const JsonReader& r, double eps, const AttackSpec& defaults,
                            double alpha_per_eps) {
  AttackSpec s = defaults;
  s.eps = eps;
  s.norm = r.string("norm", to_string(defaults.norm), {"linf", "l2"}) == "l2" ? AttackNorm::l2
                                                                              : AttackNorm::linf;
  s.alpha = r.number("alpha", alpha_per_eps * eps, Interval::at_least(0.0));
  s.steps = r.integer("steps", defaults.steps, 1, 100'000);
  s.restarts = r.integer("restarts", defaults.restarts, 1, 10'000);
  s.random_start = r.boolean("random_start", defaults.random_start);
  s.eot_samples = r.integer("eot_samples", defaults.eot_samples, 1, 10'000);
  s.mode = read_pass_mode(r, "attack_mode", defaults.mode);
  if (s.eot_samples > 1 && s.mode == PassMode::eval) {
    throw ConfigError(r.path_of("eot_samples") +
                      ": averaging over the model's noise needs attack_mode \"mc\" or \"train\"; "
                      "in eval mode the model draws none");
  }
  return s;
}

std::vector<std::string> AttackSpec::keys() {
  return {"norm", "alpha", "steps", "restarts", "random_start", "eot_samples", "attack_mode"};
}

void AttackSpec::write(nlohmann::json& spec) const {
  spec["norm"] = to_string(norm);
  spec["alpha"] = alpha;
  spec["steps"] = steps;
  spec["restarts"] = restarts;
  spec["random_start"] = random_start;
  spec["eot_samples"] = eot_samples;
  spec["attack_mode"] = to_string(mode);
}

AttackSpec AttackSpec::at_eps(double new_eps) const {
  AttackSpec s = *this;
  s.alpha = eps > 0.0 ? alpha * new_eps / eps : alpha;
  s.eps = new_eps;
  return s;
}

PerSampleObjective cross_entropy_objective(const Tensor& targets) {
  return [targets](const Tensor& logits) {
    CrossEntropyOptions options;
    options.reduction = Reduction::kNone;
    return cross_entropy(logits, targets, options);
  };
}

PerSampleObjective kl_objective(const Tensor& clean_logits) {
  const Tensor clean_log_p = log_softmax(clean_logits.detach(), 1);
  const Tensor clean_p = softmax(clean_logits.detach(), 1);
  return [clean_log_p, clean_p](const Tensor& logits) {
    return sum(mul(clean_p, sub(clean_log_p, log_softmax(logits, 1))), {1});
  };
}

Tensor attack_gradient(const Tensor& x, const PerSampleObjective& objective, ExtraPasses& passes,
                       PassMode mode, std::int64_t samples) {
  const ScalarOfLogits total = [&](const Tensor& logits) { return sum(objective(logits)); };
  Tensor g = passes.input_gradient(x, total, mode);
  if (samples <= 1) return g;
  for (std::int64_t k = 1; k < samples; ++k) g = add(g, passes.input_gradient(x, total, mode));
  return mul(g, 1.0f / static_cast<float>(samples));
}

namespace {

// Replaces the rows of `best` whose `score` is beaten by `candidate`'s.
void keep_worst_case(Tensor& best, std::vector<float>& best_score, const Tensor& candidate,
                     const Tensor& score) {
  const std::int64_t rows = candidate.size(0);
  const std::int64_t row = candidate.numel() / std::max<std::int64_t>(rows, 1);
  const float* ps = score.ptr();
  for (std::int64_t r = 0; r < rows; ++r) {
    if (!(ps[r] > best_score[static_cast<std::size_t>(r)])) continue;
    best_score[static_cast<std::size_t>(r)] = ps[r];
    std::copy(candidate.ptr() + r * row, candidate.ptr() + (r + 1) * row, best.ptr() + r * row);
  }
}

}  // namespace

Tensor run_attack(const AttackSpec& spec, const Tensor& x, const PerSampleObjective& objective,
                  ExtraPasses& passes, const RandomStream& stream, float low, float high,
                  const Tensor& start) {
  const Tensor clean = x.detach();
  const auto eps = static_cast<float>(spec.eps);
  Tensor best;
  std::vector<float> best_score;
  for (std::int64_t r = 0; r < spec.restarts; ++r) {
    Tensor adv = clean;
    if (start.defined() && r == 0) {
      adv = start.detach();
    } else if (spec.random_start) {
      adv = random_start(clean, spec.norm, eps, stream.child(static_cast<std::uint64_t>(r)), low,
                         high);
    }
    for (std::int64_t s = 0; s < spec.steps; ++s) {
      const Tensor g = attack_gradient(adv, objective, passes, spec.mode, spec.eot_samples);
      adv = attack_step(spec, adv, g, clean, low, high);
    }
    if (spec.restarts == 1) return adv;
    Tensor score;
    {
      const NoGradGuard no_grad;
      score = objective(passes.forward(adv, spec.mode));
    }
    if (r == 0) {
      best = adv.clone();
      best_score = score.to_vector();
    } else {
      keep_worst_case(best, best_score, adv, score);
    }
  }
  return best;
}

Tensor attack_step(const AttackSpec& spec, const Tensor& adv, const Tensor& grad, const Tensor& x,
                   float low, float high) {
  const auto eps = static_cast<float>(spec.eps);
  const auto alpha = static_cast<float>(spec.alpha);
  return spec.norm == AttackNorm::linf ? linf_step(adv, grad, x, alpha, eps, low, high)
                                       : l2_step(adv, grad, x, alpha, eps, low, high);
}

bool AttackSpec::one_step_from_input() const {
  return steps == 1 && restarts == 1 && !random_start && eot_samples == 1;
}

Tensor fgsm_perturb(const Tensor& x, const Tensor& grad, float eps, float low, float high) {
  return linf_step(x, grad, x, eps, eps, low, high);
}

}  // namespace dither
