#include "layers/module.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/arithmetic.h"

namespace dither {

nlohmann::json Module::to_json() const { return {{"type", type_name()}}; }

std::int64_t Module::flops(const Shape&) const { return 0; }

void Module::collect(const std::string& prefix, NamedTensors& out, bool buffers) const {
  for (const auto& [name, t] : buffers ? buffers_ : params_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out, buffers);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", out, false);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", out, true);
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out = named_parameters();
  for (auto& entry : named_buffers()) out.push_back(std::move(entry));
  for (auto& [name, t] : out) t = t.clone();
  return out;
}

void Module::load_state_dict(const NamedTensors& state) {
  std::map<std::string, const Tensor*> given;
  for (const auto& [name, t] : state) given[name] = &t;
  NamedTensors mine = named_parameters();
  for (auto& entry : named_buffers()) mine.push_back(std::move(entry));
  for (auto& [name, t] : mine) {
    auto it = given.find(name);
    if (it == given.end()) throw ConfigError("load_state_dict: missing entry '" + name + "'");
    if (it->second->shape() != t.shape()) {
      throw ConfigError("load_state_dict: entry '" + name + "' has shape " +
                        to_string(it->second->shape()) + ", the model expects " +
                        to_string(t.shape()));
    }
    std::memcpy(t.ptr(), it->second->ptr(), static_cast<std::size_t>(t.numel()) * sizeof(float));
    given.erase(it);
  }
  if (!given.empty()) {
    throw ConfigError("load_state_dict: unexpected entry '" + given.begin()->first +
                      "' (the model has no such parameter or buffer)");
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::set_mc_sampling(bool on) {
  mc_sampling_ = on;
  for (auto& [name, child] : children_) child->set_mc_sampling(on);
}

bool Module::draws_noise_in_eval() const {
  if (own_noise_in_eval()) return true;
  for (const auto& [name, child] : children_) {
    if (child->draws_noise_in_eval()) return true;
  }
  return false;
}

void Module::zero_grad() {
  for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::set_path(const std::string& path) {
  path_ = path;
  for (auto& [name, child] : children_) child->set_path(path.empty() ? name : path + "." + name);
}

void Module::set_noise_clock(const NoiseClock& clock) {
  clock_ = clock;
  for (auto& [name, child] : children_) child->set_noise_clock(clock);
}

void Module::set_sequence_lengths(const Tensor& lengths) {
  lengths_ = lengths;
  for (auto& [name, child] : children_) child->set_sequence_lengths(lengths);
}

SequenceLengthsGuard::SequenceLengthsGuard(Module& module, const Tensor& lengths)
    : module_(module), previous_(module.sequence_lengths()) {
  module_.set_sequence_lengths(lengths);
}

SequenceLengthsGuard::~SequenceLengthsGuard() { module_.set_sequence_lengths(previous_); }

RandomStream Module::noise_stream(std::string_view purpose) const {
  std::string name = path_;
  name += '/';
  name += purpose;
  return RandomStream(clock_.seed, name, {static_cast<std::uint64_t>(clock_.step), clock_.pass});
}

Tensor total_regularization(const Module& module) {
  Tensor total = module.regularization();
  for (const auto& [name, child] : module.children()) {
    const Tensor term = total_regularization(*child);
    if (term.defined()) total = total.defined() ? add(total, term) : term;
  }
  return total;
}

std::vector<std::pair<std::string, double>> module_reports(const Module& module) {
  std::vector<std::pair<std::string, double>> out;
  for (auto& [name, value] : module.report()) {
    out.emplace_back(module.path().empty() ? name : module.path() + "." + name, value);
  }
  for (const auto& [name, child] : module.children()) {
    for (auto& entry : module_reports(*child)) out.push_back(std::move(entry));
  }
  return out;
}

BufferSnapshot::BufferSnapshot(const Module& module) : live_(module.named_buffers()) {
  saved_.reserve(live_.size());
  for (const auto& [name, t] : live_) saved_.push_back(t.clone());
}

BufferSnapshot::~BufferSnapshot() {
  for (std::size_t i = 0; i < live_.size(); ++i) {
    std::memcpy(live_[i].second.ptr(), saved_[i].ptr(),
                static_cast<std::size_t>(saved_[i].numel()) * sizeof(float));
  }
}

ModeGuard::ModeGuard(Module& module, bool training, bool mc_sampling, const NoiseClock& clock)
    : module_(module),
      was_training_(module.is_training()),
      was_mc_(module.mc_sampling()),
      clock_(module.noise_clock()) {
  module_.train(training);
  module_.set_mc_sampling(mc_sampling);
  module_.set_noise_clock(clock);
}

ModeGuard::~ModeGuard() {
  module_.train(was_training_);
  module_.set_mc_sampling(was_mc_);
  module_.set_noise_clock(clock_);
}

Tensor Module::register_parameter(std::string name, Tensor value) {
  check(value.defined(), "register_parameter: '", name, "' is undefined");
  value.set_requires_grad(true);
  params_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  check(value.defined(), "register_buffer: '", name, "' is undefined");
  buffers_.emplace_back(std::move(name), value);
  return value;
}

}  // namespace dither
