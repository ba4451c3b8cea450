#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "optim/optimizer.h"

namespace dither {

/// Sets an optimiser's learning rate as training goes. The trainer calls step_batch() after
/// every optimizer.step() and step() (or step(metric)) at the end of every epoch; each
/// schedule reads the counter it needs. Closed-form schedules compute the lr from the position
/// (epoch, batch) alone, so a restored state gives exactly the lr of an uninterrupted run.
class Schedule {
 public:
  virtual ~Schedule() = default;
  Schedule(const Schedule&) = delete;
  Schedule& operator=(const Schedule&) = delete;

  /// End of an epoch.
  void step() { advance(std::nullopt); }
  /// End of an epoch with the monitored metric (validation loss or accuracy); schedules that
  /// monitor nothing ignore it.
  void step(double metric) { advance(metric); }
  /// End of a batch: moves the per-batch schedules (one_cycle, cosine's warmup).
  void step_batch();
  /// Whether step() needs the metric (reduce_on_plateau).
  virtual bool monitors_metric() const { return false; }

  double lr() const { return optimizer_.lr(); }
  std::int64_t epoch() const { return epoch_; }  ///< Epochs completed.
  std::int64_t batch() const { return batch_; }  ///< Batches completed, over all epochs.
  const std::string& type() const { return type_; }

  /// The JSON spec with every option filled in ({"type": "step", "step_size": 30, ...}).
  virtual nlohmann::json to_json() const = 0;
  /// {"type", "base_lr", "epoch", "batch"} plus a schedule's own counters.
  virtual nlohmann::json state() const;
  /// Restores state() and sets the optimiser's lr to match; throws ConfigError on a state of
  /// another type or with a missing or malformed entry.
  virtual void load_state(const nlohmann::json& state);

 protected:
  /// Takes the optimiser's initial_lr() as the base lr.
  Schedule(std::string type, Optimizer& optimizer);
  /// The lr at a position; closed-form schedules depend on nothing else.
  virtual double lr_at(std::int64_t epoch, std::int64_t batch) const = 0;
  /// Reads the metric passed to step(); runs before the epoch count advances.
  virtual void observe(std::optional<double> metric);
  /// optimizer.set_lr(lr_at(epoch(), batch())); each constructor ends with it.
  void apply();
  double base_lr() const { return base_lr_; }
  /// Throws ConfigError "<type>: <what> must be <rule>, got <value>" unless ok.
  void require(bool ok, const char* what, const std::string& rule, double value) const;

 private:
  void advance(std::optional<double> metric);
  std::string type_;
  Optimizer& optimizer_;
  double base_lr_;
  std::int64_t epoch_ = 0;
  std::int64_t batch_ = 0;
};

/// The optimiser's lr, unchanged.
class ConstantSchedule final : public Schedule {
 public:
  explicit ConstantSchedule(Optimizer& optimizer);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
};

struct StepScheduleOptions {
  std::int64_t step_size = 1;  ///< epochs between decays, >= 1
  double gamma = 0.1;          ///< factor per decay, >= 0
};

/// base_lr * gamma^floor(epoch / step_size), as torch's StepLR.
class StepSchedule final : public Schedule {
 public:
  StepSchedule(Optimizer& optimizer, StepScheduleOptions options);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  StepScheduleOptions options_;
};

struct MultiStepScheduleOptions {
  std::vector<std::int64_t> milestones;  ///< strictly increasing epochs >= 1
  double gamma = 0.1;
};

/// base_lr * gamma^(number of milestones <= epoch), as torch's MultiStepLR.
class MultiStepSchedule final : public Schedule {
 public:
  MultiStepSchedule(Optimizer& optimizer, MultiStepScheduleOptions options);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  MultiStepScheduleOptions options_;
};

/// base_lr * gamma^epoch, as torch's ExponentialLR.
class ExponentialSchedule final : public Schedule {
 public:
  ExponentialSchedule(Optimizer& optimizer, double gamma);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  double gamma_;
};

struct CosineScheduleOptions {
  std::int64_t t_max = 1;          ///< epochs of the whole schedule, warmup included, >= 1
  double eta_min = 0.0;            ///< the lr reached at t_max, >= 0
  std::int64_t warmup_epochs = 0;  ///< in [0, t_max)
};

/// Linear warmup then cosine annealing. Batch b (0-based) of the first warmup_epochs epochs
/// runs at base_lr * (b + 1) / (warmup_epochs * steps_per_epoch). From then on, epoch e runs at
/// eta_min + (base_lr - eta_min) * (1 + cos(pi * (e - W) / (t_max - W))) / 2 with W the warmup
/// epochs, torch's CosineAnnealingLR shifted by the warmup; it stays at eta_min past t_max.
class CosineSchedule final : public Schedule {
 public:
  CosineSchedule(Optimizer& optimizer, CosineScheduleOptions options, std::int64_t steps_per_epoch);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  CosineScheduleOptions options_;
  std::int64_t steps_per_epoch_;
};

struct OneCycleScheduleOptions {
  double max_lr = 0.0;            ///< the peak lr, > 0
  std::int64_t total_steps = 1;   ///< batches of the whole run, >= 1
  double pct_start = 0.3;         ///< fraction of the steps spent rising, in [0, 1]
  double div_factor = 25.0;       ///< first lr = max_lr / div_factor
  double final_div_factor = 1e4;  ///< last lr = first lr / final_div_factor
};

/// torch's OneCycleLR (two phases, cosine annealing) stepped per batch: max_lr / div_factor
/// rising to max_lr at step pct_start * total_steps - 1, then falling to the last lr at step
/// total_steps - 1, where it stays. The optimiser's own lr is ignored; momentum is not cycled.
class OneCycleSchedule final : public Schedule {
 public:
  OneCycleSchedule(Optimizer& optimizer, OneCycleScheduleOptions options);
  nlohmann::json to_json() const override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  OneCycleScheduleOptions options_;
};

/// Defaults are torch's ReduceLROnPlateau's.
struct PlateauScheduleOptions {
  std::string mode = "min";            ///< "min": lower metric is better; "max": higher
  double factor = 0.1;                 ///< new lr = lr * factor, in (0, 1)
  std::int64_t patience = 10;          ///< bad epochs tolerated before a reduction
  double threshold = 1e-4;             ///< how much better counts as better
  std::string threshold_mode = "rel";  ///< "rel": relative to the best; "abs": absolute
  std::int64_t cooldown = 0;  ///< epochs after a reduction during which bad ones are not counted
  double min_lr = 0.0;
  double eps = 1e-8;  ///< reductions smaller than this are skipped
};

/// torch's ReduceLROnPlateau: step(metric) once per epoch; after more than `patience` epochs
/// without improvement the lr is multiplied by `factor` (never below min_lr).
class PlateauSchedule final : public Schedule {
 public:
  PlateauSchedule(Optimizer& optimizer, PlateauScheduleOptions options);
  bool monitors_metric() const override { return true; }
  nlohmann::json to_json() const override;
  nlohmann::json state() const override;
  void load_state(const nlohmann::json& state) override;

 private:
  double lr_at(std::int64_t epoch, std::int64_t batch) const override;
  void observe(std::optional<double> metric) override;
  bool is_better(double metric) const;
  double worst() const;
  PlateauScheduleOptions options_;
  double lr_;
  double best_;
  std::int64_t bad_epochs_ = 0;
  std::int64_t cooldown_left_ = 0;
};

}  // namespace dither
