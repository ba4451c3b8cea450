#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "layers/loss.h"
#include "layers/sequential.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "train/data/registry.h"
#include "train/evaluate.h"
#include "train/trainer.h"

namespace dither {

/// Everything a config describes, built and validated: data, model, loss, optimiser, schedule,
/// noise hooks and training settings, plus the resolved config with every default filled in.
struct Experiment {
  std::uint64_t seed = 0;
  std::string description;
  DataSplits data;
  InputInfo input;
  std::shared_ptr<Sequential> model;
  std::unique_ptr<Loss> loss;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<Schedule> schedule;
  std::vector<std::unique_ptr<Hook>> hooks;
  std::shared_ptr<AudioSource> audio;  ///< spectrogram data: the sound behind it (else null)
  TrainSettings settings;
  nlohmann::json resolved;
};

/// Parses a config file; a syntax error is a ConfigError naming the file, line and column.
nlohmann::json read_config(const std::string& path);
/// read_config, then each `--set key.path=value` override applied in order.
nlohmann::json read_config(const std::string& path, const std::vector<std::string>& overrides);

/// Validates and builds a whole config. Cheap checks (keys, types, ranges of every block) run
/// before the data is loaded; errors are ConfigErrors naming the JSON path.
Experiment build_experiment(const nlohmann::json& config);

/// How a run evaluates: at its training batch size, with its seed naming the streams of MC
/// samples and attacks.
EvalOptions eval_options(const Experiment& e);

/// The sound behind a spectrogram training set, for hooks that change it; null for other data.
std::shared_ptr<AudioSource> audio_source(const Dataset& train);

/// The facts hooks need about a dataset's inputs.
InputInfo input_info(const DatasetInfo& info);

}  // namespace dither
