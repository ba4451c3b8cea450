#include "optim/optimizer.h"

#include <cmath>
#include <map>

#include "core/autograd.h"
#include "core/error.h"

namespace dither {
namespace {

std::string slot_key(std::size_t param, const std::string& slot) {
  return std::to_string(param) + "." + slot;
}

}  // namespace

Optimizer::Optimizer(std::string type, std::vector<Tensor> params, double lr)
    : type_(std::move(type)),
      params_(std::move(params)),
      lr_(lr),
      initial_lr_(lr),
      steps_(params_.size(), 0) {
  if (params_.empty()) throw ConfigError(type_ + ": got an empty parameter list");
  std::map<const float*, std::size_t> seen;  // a parameter listed twice would step twice
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].defined()) throw ConfigError(str(type_, ": parameter ", i, " is undefined"));
    const auto [it, fresh] = seen.emplace(params_[i].ptr(), i);
    if (!fresh && params_[i].numel() > 0) {
      throw ConfigError(str(type_, ": parameter ", i, " is parameter ", it->second, " again"));
    }
  }
  check_non_negative("lr", lr);
}

void Optimizer::zero_grad() {
  for (auto& p : params_) p.zero_grad();
}

void Optimizer::set_lr(double lr) {
  check_non_negative("lr", lr);
  lr_ = lr;
}

void Optimizer::check_non_negative(const char* what, double value) const {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw ConfigError(str(type_, ": ", what, " must be >= 0, got ", value));
  }
}

void Optimizer::check_fraction(const char* what, double value) const {
  if (!(value >= 0.0 && value < 1.0)) {
    throw ConfigError(str(type_, ": ", what, " must be in [0, 1), got ", value));
  }
}

std::size_t Optimizer::add_slot(std::string name) {
  slot_names_.push_back(std::move(name));
  slots_.emplace_back(params_.size());
  return slots_.size() - 1;
}

bool Optimizer::prepare_update(std::size_t i, ParamUpdate& u) {
  const Tensor grad = params_[i].grad();
  if (!grad.defined()) return false;
  u = ParamUpdate{++steps_[i], params_[i].numel(), params_[i].ptr(), grad.ptr(), {}};
  for (auto& slot : slots_) {
    if (!slot[i].defined()) slot[i] = Tensor::zeros(params_[i].shape());
    u.slots.push_back(slot[i].ptr());
  }
  return true;
}

void PerParameterOptimizer::step() {
  for (std::size_t i = 0; i < params().size(); ++i) step_parameter(i);
}

void PerParameterOptimizer::step_parameter(std::size_t i) {
  NoGradGuard no_grad;
  ParamUpdate u;
  if (prepare_update(i, u)) update(u);
}

OptimizerState Optimizer::state() const {
  OptimizerState out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s][i].defined())
        out.tensors.emplace_back(slot_key(i, slot_names_[s]), slots_[s][i].clone());
    }
  }
  out.scalars = {{"type", type_}, {"lr", lr_}, {"steps", steps_}};
  return out;
}

void Optimizer::load_state(const OptimizerState& state) {
  const auto& scalars = state.scalars;
  const std::string where = type_ + ": load_state: ";
  if (!scalars.is_object() || !scalars.contains("type") || scalars["type"] != type_) {
    throw ConfigError(
        where + "the state is not from a '" + type_ + "' optimiser (type " +
        (scalars.is_object() && scalars.contains("type") ? scalars["type"].dump() : "missing") +
        ")");
  }
  if (!scalars.contains("lr") || !scalars["lr"].is_number()) {
    throw ConfigError(where + "missing scalar 'lr'");
  }
  const auto& steps_json = scalars.contains("steps") ? scalars["steps"] : nlohmann::json();
  if (!steps_json.is_array() || steps_json.size() != params_.size()) {
    throw ConfigError(str(where, "'steps' must list one count per parameter (", params_.size(),
                          "), got ", steps_json.dump()));
  }
  std::vector<std::int64_t> steps;
  for (const auto& s : steps_json) {
    if (!s.is_number_integer() || s.get<std::int64_t>() < 0) {
      throw ConfigError(where + "'steps' entries must be integers >= 0, got " + s.dump());
    }
    steps.push_back(s.get<std::int64_t>());
  }
  const double lr = scalars["lr"].get<double>();
  check_non_negative("lr", lr);

  // Validate everything before touching any state, so a failed load changes nothing.
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state.tensors) given[name] = &t;
  std::vector<std::vector<const Tensor*>> found(slots_.size(),
                                                std::vector<const Tensor*>(params_.size()));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (steps[i] == 0) continue;  // never updated: no slots yet
    for (std::size_t s = 0; s < slots_.size(); ++s) {
      const std::string key = slot_key(i, slot_names_[s]);
      auto it = given.find(key);
      if (it == given.end()) throw ConfigError(where + "missing entry '" + key + "'");
      if (!it->second->defined() || it->second->shape() != params_[i].shape()) {
        throw ConfigError(where + "entry '" + key + "' has shape " +
                          (it->second->defined() ? to_string(it->second->shape()) : "undefined") +
                          ", parameter " + std::to_string(i) + " has shape " +
                          to_string(params_[i].shape()));
      }
      found[s][i] = it->second;
      given.erase(it);
    }
  }
  if (!given.empty()) throw ConfigError(where + "unexpected entry '" + given.begin()->first + "'");

  lr_ = lr;
  steps_ = std::move(steps);
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    for (std::size_t i = 0; i < params_.size(); ++i) {
      slots_[s][i] = found[s][i] != nullptr ? found[s][i]->clone() : Tensor();
    }
  }
}

}  // namespace dither
