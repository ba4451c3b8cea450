#include "train/run_state.h"

#include <sstream>

#include "core/error.h"
#include "train/atomic_file.h"

namespace dither {
namespace {

constexpr const char* kModelPrefix = "model.";
constexpr const char* kOptimizerPrefix = "optimizer.";

nlohmann::json row_to_json(const EpochRow& r) {
  nlohmann::json j{{"epoch", r.epoch},           {"lr", r.lr},
                   {"train_loss", r.train_loss}, {"train_accuracy", r.train_accuracy},
                   {"val_loss", r.val_loss},     {"val_accuracy", r.val_accuracy},
                   {"seconds", r.seconds}};
  if (!r.reports.empty()) j["reports"] = r.reports;  // [[name, value], ...]: keeps the order
  return j;
}

EpochRow row_from_json(const nlohmann::json& j) {
  EpochRow r;
  r.epoch = j.at("epoch").get<std::int64_t>();
  r.lr = j.at("lr").get<double>();
  r.train_loss = j.at("train_loss").get<double>();
  r.train_accuracy = j.at("train_accuracy").get<double>();
  r.val_loss = j.at("val_loss").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                          : j.at("val_loss").get<double>();
  r.val_accuracy = j.at("val_accuracy").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                  : j.at("val_accuracy").get<double>();
  r.seconds = j.at("seconds").get<double>();
  if (j.contains("reports"))
    r.reports = j.at("reports").get<std::vector<std::pair<std::string, double>>>();
  return r;
}

}  // namespace

Checkpoint make_checkpoint(const Experiment& experiment, const RunState& state) {
  Checkpoint c;
  for (auto& [name, t] : experiment.model->state_dict())
    c.tensors.emplace_back(kModelPrefix + name, t);
  OptimizerState opt = experiment.optimizer->state();
  for (auto& [name, t] : opt.tensors) c.tensors.emplace_back(kOptimizerPrefix + name, t);
  nlohmann::json history = nlohmann::json::array();
  for (const auto& row : state.history) history.push_back(row_to_json(row));
  c.meta = {{"config", experiment.resolved},
            {"epochs_done", state.epochs_done},
            {"step", state.step},
            {"hooks", state.hook_states},
            {"optimizer", opt.scalars},
            {"schedule", experiment.schedule->state()},
            {"history", history},
            {"best", std::isnan(state.best) ? nlohmann::json(nullptr) : nlohmann::json(state.best)},
            {"best_epoch", state.best_epoch},
            {"bad_epochs", state.bad_epochs},
            {"samples", state.samples},
            {"stopped_early", state.stopped_early}};
  return c;
}

NamedTensors model_tensors(const Checkpoint& checkpoint) {
  NamedTensors model;
  const std::string prefix = kModelPrefix;
  for (const auto& [name, t] : checkpoint.tensors) {
    if (name.rfind(prefix, 0) == 0) model.emplace_back(name.substr(prefix.size()), t);
  }
  return model;
}

RunState restore_checkpoint(const Checkpoint& checkpoint, Experiment& experiment,
                            const std::filesystem::path& file) {
  const NamedTensors model = model_tensors(checkpoint);
  OptimizerState opt;
  for (const auto& [name, t] : checkpoint.tensors) {
    if (name.rfind(kOptimizerPrefix, 0) == 0) {
      opt.tensors.emplace_back(name.substr(std::string(kOptimizerPrefix).size()), t);
    }
  }
  RunState state;
  try {
    experiment.model->load_state_dict(model);
    const auto& m = checkpoint.meta;
    if (m.contains("optimizer")) {
      opt.scalars = m.at("optimizer");
      experiment.optimizer->load_state(opt);
      experiment.schedule->load_state(m.at("schedule"));
      state.hook_states = m.at("hooks");
      if (!state.hook_states.is_array() || state.hook_states.size() != experiment.hooks.size()) {
        throw ConfigError(str("holds ", state.hook_states.size(), " hook states for ",
                              experiment.hooks.size(), " noise hooks"));
      }
      for (std::size_t i = 0; i < experiment.hooks.size(); ++i)
        experiment.hooks[i]->load_state(state.hook_states[i]);
      state.epochs_done = m.at("epochs_done").get<std::int64_t>();
      state.step = m.at("step").get<std::int64_t>();
      for (const auto& row : m.at("history")) state.history.push_back(row_from_json(row));
      state.best = m.at("best").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                          : m.at("best").get<double>();
      state.best_epoch = m.at("best_epoch").get<std::int64_t>();
      state.bad_epochs = m.at("bad_epochs").get<std::int64_t>();
      state.samples = m.at("samples").get<std::int64_t>();
      state.stopped_early = m.at("stopped_early").get<bool>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(file.string() + ": incomplete checkpoint: " + e.what());
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
  return state;
}

void write_metrics_csv(const std::filesystem::path& path, const std::vector<EpochRow>& rows) {
  std::ostringstream out;
  out.precision(8);
  out << "epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,seconds";
  const std::size_t reports = rows.empty() ? 0 : rows.front().reports.size();
  for (std::size_t k = 0; k < reports; ++k) out << ',' << rows.front().reports[k].first;
  out << '\n';
  for (const auto& r : rows) {
    out << r.epoch << ',' << r.lr << ',' << r.train_loss << ',' << r.train_accuracy << ',';
    if (!std::isnan(r.val_loss)) out << r.val_loss;
    out << ',';
    if (!std::isnan(r.val_accuracy)) out << r.val_accuracy;
    out << ',' << r.seconds;
    for (std::size_t k = 0; k < reports; ++k) {
      out << ',';
      if (k < r.reports.size()) out << r.reports[k].second;
    }
    out << '\n';
  }
  write_file_atomic(path, out.str());
}

}  // namespace dither
