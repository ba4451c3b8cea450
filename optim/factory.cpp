#include "optim/factory.h"

#include <limits>
#include <optional>

#include "core/error.h"
#include "core/json_reader.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "optim/sam.h"
#include "optim/sgd.h"

namespace dither {
namespace {

constexpr Interval kNonNegative = Interval::at_least(0.0);
constexpr Interval kPositive = Interval::above(0.0);
constexpr Interval kFraction = Interval::fraction();
constexpr Interval kOpenFraction = Interval::open_unit();

template <bool Decoupled>
std::unique_ptr<Optimizer> make_adam(const JsonReader& r, std::vector<Tensor> params) {
  r.allow_only({"type", "lr", "betas", "eps", "weight_decay", "amsgrad"});
  AdamFamilyOptions<Decoupled> o;
  o.lr = r.number("lr", o.lr, kNonNegative);
  if (r.has("betas")) {
    const auto& betas = r.at("betas");
    const std::string at = r.path_of("betas");
    if (!betas.is_array() || betas.size() != 2) {
      throw ConfigError(at + ": must be a list of two numbers in [0, 1), got " + betas.dump());
    }
    o.beta1 = JsonReader::number_at(betas[0], index_path(at, 0), kFraction);
    o.beta2 = JsonReader::number_at(betas[1], index_path(at, 1), kFraction);
  }
  o.eps = r.number("eps", o.eps, kNonNegative);
  o.weight_decay = r.number("weight_decay", o.weight_decay, kNonNegative);
  o.amsgrad = r.boolean("amsgrad", o.amsgrad);
  return std::make_unique<AdamFamily<Decoupled>>(std::move(params), o);
}

std::unique_ptr<Optimizer> make_sgd(const JsonReader& r, std::vector<Tensor> params) {
  r.allow_only({"type", "lr", "momentum", "dampening", "nesterov", "weight_decay"});
  const SgdOptions d;
  SgdOptions o{.lr = r.number("lr", d.lr, kNonNegative),
               .momentum = r.number("momentum", d.momentum, kFraction),
               .dampening = r.number("dampening", d.dampening, kFraction),
               .nesterov = r.boolean("nesterov", d.nesterov),
               .weight_decay = r.number("weight_decay", d.weight_decay, kNonNegative)};
  if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) {
    throw ConfigError(str(r.path_of("nesterov"),
                          ": needs momentum > 0 and dampening 0, got momentum ", o.momentum,
                          " and dampening ", o.dampening));
  }
  return std::make_unique<Sgd>(std::move(params), o);
}

std::unique_ptr<Optimizer> make_rmsprop(const JsonReader& r, std::vector<Tensor> params) {
  r.allow_only({"type", "lr", "alpha", "eps", "weight_decay", "momentum", "centered"});
  const RmspropOptions d;
  RmspropOptions o{.lr = r.number("lr", d.lr, kNonNegative),
                   .alpha = r.number("alpha", d.alpha, kFraction),
                   .eps = r.number("eps", d.eps, kNonNegative),
                   .weight_decay = r.number("weight_decay", d.weight_decay, kNonNegative),
                   .momentum = r.number("momentum", d.momentum, kFraction),
                   .centered = r.boolean("centered", d.centered)};
  return std::make_unique<Rmsprop>(std::move(params), o);
}

std::unique_ptr<Schedule> make_plateau(const JsonReader& r, Optimizer& optimizer) {
  r.allow_only({"type", "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                "min_lr", "eps"});
  const PlateauScheduleOptions d;
  PlateauScheduleOptions o{
      .mode = r.string("mode", d.mode, {"min", "max"}),
      .factor = r.number("factor", d.factor, kOpenFraction),
      .patience = r.integer("patience", d.patience, 0),
      .threshold = r.number("threshold", d.threshold, kNonNegative),
      .threshold_mode = r.string("threshold_mode", d.threshold_mode, {"rel", "abs"}),
      .cooldown = r.integer("cooldown", d.cooldown, 0),
      .min_lr = r.number("min_lr", d.min_lr, kNonNegative),
      .eps = r.number("eps", d.eps, kNonNegative)};
  return std::make_unique<PlateauSchedule>(optimizer, std::move(o));
}

std::unique_ptr<Schedule> make_one_cycle(const JsonReader& r, Optimizer& optimizer,
                                         std::int64_t total_steps) {
  r.allow_only({"type", "max_lr", "total_steps", "pct_start", "div_factor", "final_div_factor"});
  const OneCycleScheduleOptions d;
  const OneCycleScheduleOptions o{
      .max_lr = r.number(
          "max_lr",
          optimizer.initial_lr() > 0.0 ? std::optional(optimizer.initial_lr()) : std::nullopt,
          kPositive),
      .total_steps = r.integer("total_steps", total_steps, 1),
      .pct_start = r.number("pct_start", d.pct_start, Interval::closed(0.0, 1.0)),
      .div_factor = r.number("div_factor", d.div_factor, kPositive),
      .final_div_factor = r.number("final_div_factor", d.final_div_factor, kPositive)};
  return std::make_unique<OneCycleSchedule>(optimizer, o);
}

std::unique_ptr<Schedule> make_cosine(const JsonReader& r, Optimizer& optimizer, int epochs,
                                      int steps_per_epoch) {
  r.allow_only({"type", "t_max", "eta_min", "warmup_epochs"});
  const std::int64_t t_max = r.integer("t_max", epochs, 1);
  const CosineScheduleOptions o{.t_max = t_max,
                                .eta_min = r.number("eta_min", 0.0, kNonNegative),
                                .warmup_epochs = r.integer("warmup_epochs", 0, 0, t_max - 1)};
  return std::make_unique<CosineSchedule>(optimizer, o, steps_per_epoch);
}

std::vector<std::int64_t> milestones(const JsonReader& r) {
  std::vector<std::int64_t> m = r.integers("milestones", std::nullopt, 0, 1);
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (m[i] <= m[i - 1]) {
      throw ConfigError(r.path_of("milestones") + ": must be strictly increasing, got " +
                        r.at("milestones").dump());
    }
  }
  return m;
}

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const nlohmann::json& spec, std::vector<Tensor> params,
                                          const std::string& path) {
  const JsonReader r(spec, path);
  const std::string type =
      r.string("type", std::nullopt, {"sgd", "adam", "adamw", "rmsprop", "sam"});
  if (type == "sam") {
    r.allow_only({"type", "rho", "adaptive", "base"});
    const double rho = r.number("rho", 0.05, kNonNegative);
    const bool adaptive = r.boolean("adaptive", false);
    const JsonReader base(r.at("base"), r.path_of("base"));
    if (base.string("type", std::nullopt) == "sam")
      throw ConfigError(base.path_of("type") + ": sam wraps another optimiser, not sam itself");
    return std::make_unique<Sam>(make_optimizer(r.at("base"), std::move(params), base.path()), rho,
                                 adaptive);
  }
  if (type == "sgd") return make_sgd(r, std::move(params));
  if (type == "rmsprop") return make_rmsprop(r, std::move(params));
  if (type == "adam") return make_adam<false>(r, std::move(params));
  return make_adam<true>(r, std::move(params));
}

std::unique_ptr<Schedule> make_schedule(const nlohmann::json& spec, Optimizer& optimizer,
                                        int epochs, int steps_per_epoch, const std::string& path) {
  if (epochs < 1 || steps_per_epoch < 1) {
    throw ConfigError(str("make_schedule: needs epochs >= 1 and steps_per_epoch >= 1, got ", epochs,
                          " and ", steps_per_epoch));
  }
  const JsonReader r(spec, path);
  const std::string type = r.string(
      "type", std::nullopt,
      {"constant", "step", "multistep", "exponential", "cosine", "one_cycle", "reduce_on_plateau"});
  if (type == "constant") {
    r.allow_only({"type"});
    return std::make_unique<ConstantSchedule>(optimizer);
  }
  if (type == "step") {
    r.allow_only({"type", "step_size", "gamma"});
    return std::make_unique<StepSchedule>(
        optimizer, StepScheduleOptions{.step_size = r.integer("step_size", std::nullopt, 1),
                                       .gamma = r.number("gamma", 0.1, kNonNegative)});
  }
  if (type == "multistep") {
    r.allow_only({"type", "milestones", "gamma"});
    return std::make_unique<MultiStepSchedule>(
        optimizer, MultiStepScheduleOptions{.milestones = milestones(r),
                                            .gamma = r.number("gamma", 0.1, kNonNegative)});
  }
  if (type == "exponential") {
    r.allow_only({"type", "gamma"});
    return std::make_unique<ExponentialSchedule>(optimizer,
                                                 r.number("gamma", std::nullopt, kNonNegative));
  }
  if (type == "cosine") return make_cosine(r, optimizer, epochs, steps_per_epoch);
  if (type == "one_cycle") {
    return make_one_cycle(r, optimizer, std::int64_t{epochs} * steps_per_epoch);
  }
  return make_plateau(r, optimizer);
}

}  // namespace dither
