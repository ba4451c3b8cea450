#include "optim/sam.h"

#include <cmath>
#include <cstring>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {

namespace {

// e_i = scale * w_i^2 * g_i (adaptive) or scale * g_i: the perturbation of one element.
inline float perturbation_of(float w, float g, double scale, bool adaptive) {
  return static_cast<float>(scale * (adaptive ? static_cast<double>(w) * w : 1.0) * g);
}

}  // namespace

double sam_scale(const std::vector<Tensor>& params, double rho, bool adaptive) {
  double norm_sq = 0.0;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const float* pw = p.ptr();
    const float* pg = g.ptr();
    norm_sq += parallel_sum(p.numel(), [pw, pg, adaptive](std::int64_t b, std::int64_t e) {
      double s = 0.0;
      for (std::int64_t i = b; i < e; ++i) {
        const double t = adaptive ? std::abs(static_cast<double>(pw[i])) * pg[i] : pg[i];
        s += t * t;
      }
      return s;
    });
  }
  const double norm = std::sqrt(norm_sq);
  return norm > 0.0 ? rho / norm : 0.0;
}

std::vector<Tensor> sam_perturbation(const std::vector<Tensor>& params, double rho, bool adaptive) {
  const double scale = sam_scale(params, rho, adaptive);
  std::vector<Tensor> out;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) {
      out.emplace_back();
      continue;
    }
    Tensor e = Tensor::empty(p.shape());
    const float* pw = p.ptr();
    const float* pg = g.ptr();
    float* pe = e.ptr();
    for (std::int64_t i = 0; i < p.numel(); ++i)
      pe[i] = perturbation_of(pw[i], pg[i], scale, adaptive);
    out.push_back(e);
  }
  return out;
}

Sam::Sam(std::unique_ptr<Optimizer> base, double rho, bool adaptive)
    : Optimizer("sam", base->params(), base->lr()),
      base_(std::move(base)),
      rho_(rho),
      adaptive_(adaptive) {
  check_non_negative("rho", rho);
}

void Sam::step() {
  base_->set_lr(lr());
  base_->step();
}

void Sam::step_with(const Regradient& regradient) {
  std::vector<Tensor> ps = params();  // handles: writable views of the parameters
  std::vector<Tensor>& saved = saved_;
  saved.resize(ps.size());
  std::vector<bool> moved(ps.size(), false);
  {
    const NoGradGuard no_grad;
    const double scale = sam_scale(ps, rho_, adaptive_);
    for (std::size_t k = 0; k < ps.size(); ++k) {
      const Tensor g = ps[k].grad();
      if (!g.defined()) continue;
      if (!saved[k].defined()) saved[k] = Tensor::empty(ps[k].shape());
      std::memcpy(saved[k].ptr(), ps[k].ptr(),
                  static_cast<std::size_t>(ps[k].numel()) * sizeof(float));
      moved[k] = true;
      float* pw = ps[k].ptr();
      const float* pg = g.ptr();
      const bool adaptive = adaptive_;
      parallel_for(ps[k].numel(), [=](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
          pw[i] += perturbation_of(pw[i], pg[i], scale, adaptive);
      });
    }
  }
  regradient();
  for (std::size_t k = 0; k < ps.size(); ++k) {
    if (!moved[k]) continue;
    std::memcpy(ps[k].ptr(), saved[k].ptr(),
                static_cast<std::size_t>(ps[k].numel()) * sizeof(float));
  }
  step();
}

nlohmann::json Sam::to_json() const {
  return {{"type", "sam"}, {"rho", rho_}, {"adaptive", adaptive_}, {"base", base_->to_json()}};
}

OptimizerState Sam::state() const {
  OptimizerState s = base_->state();
  s.scalars = {{"type", "sam"}, {"lr", lr()}, {"base", s.scalars}};
  return s;
}

void Sam::load_state(const OptimizerState& state) {
  const auto& scalars = state.scalars;
  if (!scalars.is_object() || scalars.value("type", "") != "sam" || !scalars.contains("base") ||
      !scalars.contains("lr") || !scalars["lr"].is_number()) {
    throw ConfigError("sam: load_state: the state is not from a 'sam' optimiser");
  }
  base_->load_state(OptimizerState{state.tensors, scalars["base"]});
  set_lr(scalars["lr"].get<double>());
}

}  // namespace dither
