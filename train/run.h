#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "train/metrics.h"

namespace dither {

/// What `dither train` was asked to do.
struct TrainRequest {
  std::string config_path;  ///< must be empty when resuming: a run keeps its config
  /// --set key.path=value, in order; when resuming only train.epochs=N (extends the run)
  std::vector<std::string> overrides;
  std::optional<std::filesystem::path> out_dir;
  std::optional<std::filesystem::path> resume_dir;
  bool quiet = false;
  /// > 0: stop once this many epochs are done, as an interruption would, leaving a run that
  /// --resume continues to the configured total (tests and the hidden --stop-after flag).
  std::int64_t stop_after_epochs = 0;
};

/// Where a finished run put its results, and how it did on the test set.
struct TrainResult {
  std::filesystem::path run_dir;
  Evaluation test;
  std::int64_t epochs_run = 0;
  bool stopped_early = false;
  std::string plot_error;  ///< why curves.png was not drawn; empty when it was
};

/// The whole training job: builds the experiment, trains with validation every epoch, writes
/// the run folder (config.json, metrics.csv, summary.json, last.ckpt, best.ckpt, curves.png)
/// and evaluates the best checkpoint on the test set. Resuming continues from last.ckpt (or
/// starts afresh from config.json when no epoch finished) and ends with bitwise the same weights
/// as an uninterrupted run at the same thread count; every other file is derived from
/// last.ckpt again. The folder is locked (FolderLock) while training; a new run refuses a folder
/// that holds another (ConfigError). Non-finite losses, weights or outputs, in training,
/// validation or test, throw DivergenceError naming where; SIGINT/SIGTERM stop it at the next
/// step boundary, dropping the partial epoch, and throw Interrupted.
TrainResult run_training(const TrainRequest& request);

/// The config a target names: a config file, a run folder (its config.json, else its
/// last.ckpt's) or a checkpoint file (the config it holds).
nlohmann::json config_of(const std::filesystem::path& target);

/// `dither info`: a description of the data, the model (layers, output shapes, parameter
/// counts, multiply-adds), loss, optimiser, schedule and noise of a config, run folder or
/// checkpoint (config_of), with `overrides` applied.
std::string describe_config(const std::string& target, const std::vector<std::string>& overrides);

}  // namespace dither
