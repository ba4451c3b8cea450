#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "train/checkpoint.h"
#include "train/experiment.h"

namespace dither {

/// One row of metrics.csv.
struct EpochRow {
  std::int64_t epoch = 0;  ///< 1-based
  double lr = 0.0;
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  double val_loss = 0.0;
  double val_accuracy = 0.0;
  double seconds = 0.0;
  /// module_reports() of the model after the epoch (learned noise strengths): extra columns.
  std::vector<std::pair<std::string, double>> reports;
};

/// Where a run stands between epochs: what a checkpoint must carry besides the tensors.
struct RunState {
  std::int64_t epochs_done = 0;
  std::int64_t step = 0;
  std::vector<EpochRow> history;
  double best = std::numeric_limits<double>::quiet_NaN();  ///< best monitored value so far
  std::int64_t best_epoch = 0;
  std::int64_t bad_epochs = 0;  ///< epochs since the last improvement
  std::int64_t samples = 0;     ///< training samples seen over every epoch so far
  bool stopped_early = false;   ///< a resumed run that stopped early trains no further
  nlohmann::json hook_states = nlohmann::json::array();  ///< Trainer::hook_states()
};

/// The run's state (hook states included) and the experiment's model, optimiser and schedule.
/// No random-stream position: every stream is named by (seed, owner, step, pass).
Checkpoint make_checkpoint(const Experiment& experiment, const RunState& state);
/// Puts a checkpoint's tensors, schedule and hook states back into a freshly built experiment
/// (before its hooks move into a Trainer).
RunState restore_checkpoint(const Checkpoint& checkpoint, Experiment& experiment,
                            const std::filesystem::path& file);

/// The model's entries of a checkpoint, names without their "model." prefix.
NamedTensors model_tensors(const Checkpoint& checkpoint);

/// metrics.csv, written whole and atomically: the fixed columns, then one column per named report
/// of the first row (every row of a run reports the same names).
void write_metrics_csv(const std::filesystem::path& path, const std::vector<EpochRow>& rows);

}  // namespace dither
