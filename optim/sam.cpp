#include "optim/sam.h"

#include <cmath>
#include <cstring>

#include "core/autograd.h"
#include "core/error.h"

namespace dither {

std::vector<Tensor> sam_perturbation(const std::vector<Tensor>& params, double rho, bool adaptive) {
  double norm_sq = 0.0;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const float* pw = p.ptr();
    const float* pg = g.ptr();
    for (std::int64_t i = 0; i < p.numel(); ++i) {
      const double t = adaptive ? std::abs(static_cast<double>(pw[i])) * pg[i] : pg[i];
      norm_sq += t * t;
    }
  }
  const double norm = std::sqrt(norm_sq);
  const double scale = norm > 0.0 ? rho / norm : 0.0;
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
    for (std::int64_t i = 0; i < p.numel(); ++i) {
      const double w2 = adaptive ? static_cast<double>(pw[i]) * pw[i] : 1.0;
      pe[i] = static_cast<float>(scale * w2 * pg[i]);
    }
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
  std::vector<Tensor> saved;
  {
    const NoGradGuard no_grad;
    const std::vector<Tensor> e = sam_perturbation(ps, rho_, adaptive_);
    for (std::size_t k = 0; k < ps.size(); ++k) {
      saved.push_back(e[k].defined() ? ps[k].clone() : Tensor());
      if (!e[k].defined()) continue;
      float* pw = ps[k].ptr();
      const float* pe = e[k].ptr();
      for (std::int64_t i = 0; i < ps[k].numel(); ++i) pw[i] += pe[i];
    }
  }
  regradient();
  for (std::size_t k = 0; k < ps.size(); ++k) {
    if (!saved[k].defined()) continue;
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
