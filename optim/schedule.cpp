#include "optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

// torch's _annealing_cos: from `start` at pct 0 to `end` at pct 1 along half a cosine.
double annealing_cos(double start, double end, double pct) {
  return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1.0);
}

}  // namespace

Schedule::Schedule(std::string type, Optimizer& optimizer)
    : type_(std::move(type)), optimizer_(optimizer), base_lr_(optimizer.initial_lr()) {}

void Schedule::step_batch() {
  ++batch_;
  apply();
}

void Schedule::advance(std::optional<double> metric) {
  observe(metric);
  ++epoch_;
  apply();
}

void Schedule::observe(std::optional<double>) {}

void Schedule::apply() { optimizer_.set_lr(lr_at(epoch_, batch_)); }

void Schedule::require(bool ok, const char* what, const std::string& rule, double value) const {
  if (!ok) throw ConfigError(str(type_, ": ", what, " must be ", rule, ", got ", value));
}

nlohmann::json Schedule::state() const {
  return {{"type", type_}, {"base_lr", base_lr_}, {"epoch", epoch_}, {"batch", batch_}};
}

void Schedule::load_state(const nlohmann::json& state) {
  JsonReader r(state, type_ + " schedule state");
  r.string("type", std::nullopt, {type_});
  const double base_lr = r.number("base_lr", std::nullopt, 0.0);
  const std::int64_t epoch = r.integer("epoch", std::nullopt, 0);
  const std::int64_t batch = r.integer("batch", std::nullopt, 0);
  base_lr_ = base_lr;
  epoch_ = epoch;
  batch_ = batch;
  apply();
}

ConstantSchedule::ConstantSchedule(Optimizer& optimizer) : Schedule("constant", optimizer) {
  apply();
}

double ConstantSchedule::lr_at(std::int64_t, std::int64_t) const { return base_lr(); }

nlohmann::json ConstantSchedule::to_json() const { return {{"type", "constant"}}; }

StepSchedule::StepSchedule(Optimizer& optimizer, StepScheduleOptions options)
    : Schedule("step", optimizer), options_(options) {
  require(options_.step_size >= 1, "step_size", ">= 1", static_cast<double>(options_.step_size));
  require(options_.gamma >= 0.0, "gamma", ">= 0", options_.gamma);
  apply();
}

double StepSchedule::lr_at(std::int64_t epoch, std::int64_t) const {
  return base_lr() * std::pow(options_.gamma, static_cast<double>(epoch / options_.step_size));
}

nlohmann::json StepSchedule::to_json() const {
  return {{"type", "step"}, {"step_size", options_.step_size}, {"gamma", options_.gamma}};
}

MultiStepSchedule::MultiStepSchedule(Optimizer& optimizer, MultiStepScheduleOptions options)
    : Schedule("multistep", optimizer), options_(std::move(options)) {
  const auto& m = options_.milestones;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] < 1 || (i > 0 && m[i] <= m[i - 1])) {
      throw ConfigError(str("multistep: milestones must be strictly increasing epochs >= 1, got ",
                            nlohmann::json(m).dump()));
    }
  }
  require(options_.gamma >= 0.0, "gamma", ">= 0", options_.gamma);
  apply();
}

double MultiStepSchedule::lr_at(std::int64_t epoch, std::int64_t) const {
  const auto& m = options_.milestones;
  const auto passed = std::upper_bound(m.begin(), m.end(), epoch) - m.begin();
  return base_lr() * std::pow(options_.gamma, static_cast<double>(passed));
}

nlohmann::json MultiStepSchedule::to_json() const {
  return {{"type", "multistep"}, {"milestones", options_.milestones}, {"gamma", options_.gamma}};
}

ExponentialSchedule::ExponentialSchedule(Optimizer& optimizer, double gamma)
    : Schedule("exponential", optimizer), gamma_(gamma) {
  require(gamma_ >= 0.0, "gamma", ">= 0", gamma_);
  apply();
}

double ExponentialSchedule::lr_at(std::int64_t epoch, std::int64_t) const {
  return base_lr() * std::pow(gamma_, static_cast<double>(epoch));
}

nlohmann::json ExponentialSchedule::to_json() const {
  return {{"type", "exponential"}, {"gamma", gamma_}};
}

CosineSchedule::CosineSchedule(Optimizer& optimizer, CosineScheduleOptions options,
                               std::int64_t steps_per_epoch)
    : Schedule("cosine", optimizer), options_(options), steps_per_epoch_(steps_per_epoch) {
  require(options_.t_max >= 1, "t_max", ">= 1", static_cast<double>(options_.t_max));
  require(options_.eta_min >= 0.0, "eta_min", ">= 0", options_.eta_min);
  require(options_.warmup_epochs >= 0 && options_.warmup_epochs < options_.t_max, "warmup_epochs",
          str("in [0, t_max) = [0, ", options_.t_max, ")"),
          static_cast<double>(options_.warmup_epochs));
  require(steps_per_epoch_ >= 1, "steps_per_epoch", ">= 1", static_cast<double>(steps_per_epoch));
  apply();
}

double CosineSchedule::lr_at(std::int64_t epoch, std::int64_t batch) const {
  const std::int64_t warmup = options_.warmup_epochs;
  const std::int64_t warmup_batches = warmup * steps_per_epoch_;
  // Warmup ends at whichever counter gets there first, so a caller that never calls
  // step_batch() still leaves it after warmup_epochs epochs.
  if (epoch < warmup && batch < warmup_batches) {
    return base_lr() * static_cast<double>(batch + 1) / static_cast<double>(warmup_batches);
  }
  const std::int64_t span = options_.t_max - warmup;
  const std::int64_t e = std::clamp<std::int64_t>(epoch - warmup, 0, span);
  return annealing_cos(base_lr(), options_.eta_min,
                       static_cast<double>(e) / static_cast<double>(span));
}

nlohmann::json CosineSchedule::to_json() const {
  return {{"type", "cosine"},
          {"t_max", options_.t_max},
          {"eta_min", options_.eta_min},
          {"warmup_epochs", options_.warmup_epochs}};
}

OneCycleSchedule::OneCycleSchedule(Optimizer& optimizer, OneCycleScheduleOptions options)
    : Schedule("one_cycle", optimizer), options_(options) {
  require(options_.max_lr > 0.0 && std::isfinite(options_.max_lr), "max_lr", "> 0",
          options_.max_lr);
  require(options_.total_steps >= 1, "total_steps", ">= 1",
          static_cast<double>(options_.total_steps));
  require(options_.pct_start >= 0.0 && options_.pct_start <= 1.0, "pct_start", "in [0, 1]",
          options_.pct_start);
  require(options_.div_factor > 0.0, "div_factor", "> 0", options_.div_factor);
  require(options_.final_div_factor > 0.0, "final_div_factor", "> 0", options_.final_div_factor);
  apply();
}

double OneCycleSchedule::lr_at(std::int64_t, std::int64_t batch) const {
  const OneCycleScheduleOptions& o = options_;
  const double initial = o.max_lr / o.div_factor;
  const double last = initial / o.final_div_factor;
  const auto total = static_cast<double>(o.total_steps);
  const double step = std::min(static_cast<double>(batch), total - 1.0);
  // The phase boundaries are torch's, fractional steps included.
  const double peak = o.pct_start * total - 1.0;
  if (step <= peak) return annealing_cos(initial, o.max_lr, peak > 0.0 ? step / peak : 1.0);
  return annealing_cos(o.max_lr, last, (step - peak) / (total - 1.0 - peak));
}

nlohmann::json OneCycleSchedule::to_json() const {
  return {{"type", "one_cycle"},
          {"max_lr", options_.max_lr},
          {"total_steps", options_.total_steps},
          {"pct_start", options_.pct_start},
          {"div_factor", options_.div_factor},
          {"final_div_factor", options_.final_div_factor}};
}

PlateauSchedule::PlateauSchedule(Optimizer& optimizer, PlateauScheduleOptions options)
    : Schedule("reduce_on_plateau", optimizer),
      options_(std::move(options)),
      lr_(optimizer.initial_lr()) {
  const auto& o = options_;
  if (o.mode != "min" && o.mode != "max") {
    throw ConfigError("reduce_on_plateau: mode must be 'min' or 'max', got '" + o.mode + "'");
  }
  if (o.threshold_mode != "rel" && o.threshold_mode != "abs") {
    throw ConfigError("reduce_on_plateau: threshold_mode must be 'rel' or 'abs', got '" +
                      o.threshold_mode + "'");
  }
  require(o.factor > 0.0 && o.factor < 1.0, "factor", "in (0, 1)", o.factor);
  require(o.patience >= 0, "patience", ">= 0", static_cast<double>(o.patience));
  require(o.threshold >= 0.0, "threshold", ">= 0", o.threshold);
  require(o.cooldown >= 0, "cooldown", ">= 0", static_cast<double>(o.cooldown));
  require(o.min_lr >= 0.0, "min_lr", ">= 0", o.min_lr);
  require(o.eps >= 0.0, "eps", ">= 0", o.eps);
  best_ = worst();
  apply();
}

double PlateauSchedule::worst() const {
  return options_.mode == "min" ? std::numeric_limits<double>::infinity()
                                : -std::numeric_limits<double>::infinity();
}

bool PlateauSchedule::is_better(double metric) const {
  const bool rel = options_.threshold_mode == "rel";
  const double t = options_.threshold;
  if (options_.mode == "min") return metric < (rel ? best_ * (1.0 - t) : best_ - t);
  return metric > (rel ? best_ * (1.0 + t) : best_ + t);
}

void PlateauSchedule::observe(std::optional<double> metric) {
  if (!metric) {
    throw Error("reduce_on_plateau: step() needs the monitored metric; call step(metric)");
  }
  if (is_better(*metric)) {
    best_ = *metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > options_.patience) {
    const double reduced = std::max(lr_ * options_.factor, options_.min_lr);
    if (lr_ - reduced > options_.eps) lr_ = reduced;
    cooldown_left_ = options_.cooldown;
    bad_epochs_ = 0;
  }
}

double PlateauSchedule::lr_at(std::int64_t, std::int64_t) const { return lr_; }

nlohmann::json PlateauSchedule::to_json() const {
  const auto& o = options_;
  return {{"type", "reduce_on_plateau"},
          {"mode", o.mode},
          {"factor", o.factor},
          {"patience", o.patience},
          {"threshold", o.threshold},
          {"threshold_mode", o.threshold_mode},
          {"cooldown", o.cooldown},
          {"min_lr", o.min_lr},
          {"eps", o.eps}};
}

nlohmann::json PlateauSchedule::state() const {
  nlohmann::json s = Schedule::state();
  s["lr"] = lr_;
  // JSON has no infinity: "no best yet" is null.
  s["best"] = std::isfinite(best_) ? nlohmann::json(best_) : nlohmann::json();
  s["bad_epochs"] = bad_epochs_;
  s["cooldown_left"] = cooldown_left_;
  return s;
}

void PlateauSchedule::load_state(const nlohmann::json& state) {
  JsonReader r(state, "reduce_on_plateau schedule state");
  const double lr = r.number("lr", std::nullopt, 0.0);
  const bool no_best = r.has("best") && r.at("best").is_null();
  const double best = no_best ? worst() : r.number("best");
  const std::int64_t bad = r.integer("bad_epochs", std::nullopt, 0);
  const std::int64_t cooldown = r.integer("cooldown_left", std::nullopt, 0);
  Schedule::load_state(state);  // validates the shared part before anything here changes
  lr_ = lr;
  best_ = best;
  bad_epochs_ = bad;
  cooldown_left_ = cooldown;
  apply();
}

}  // namespace dither
