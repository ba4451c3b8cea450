#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "train/metrics.h"
#include "train/uncertainty_report.h"

namespace dither {

/// What `dither eval` (without --robustness) was asked to do.
struct EvalRequest {
  std::filesystem::path target;                  ///< run folder or checkpoint file
  std::optional<std::filesystem::path> out_dir;  ///< default: the checkpoint's folder
  std::int64_t mc_samples = 0;                   ///< > 0: Monte Carlo sampling with T passes
  std::optional<std::filesystem::path> ood;      ///< an OOD set spec (train/ood.h)
  std::vector<std::filesystem::path> ensemble;   ///< further runs averaged with the target
};

/// What `dither eval` measured and wrote.
struct EvalReport {
  Evaluation test;                   ///< the deterministic pass on the test set
  std::string mode;                  ///< which passes ran: eval mode, or MC with which noise layers
  std::vector<UncertaintyRow> rows;  ///< one per predictor: deterministic, temperature, MC, ...
  nlohmann::json json;               ///< eval.json's content
  std::string plot_error;            ///< why a plot was not drawn, or ""
  /// For a person: the test line, the mode, the temperature and the tables.
  std::string to_text() const;
};

/// `dither eval`: the test set through the run's best (else last) checkpoint in eval mode (noise
/// layers off); temperature scaling fitted on the validation split (when the run has one) with
/// NLL, ECE and Brier before and after; with mc_samples, MC sampling (the noise layers on, the
/// report naming them, or saying there were none); with ensemble, the average of the runs'
/// probabilities beside each member (runs of other data, classes or input shapes are refused,
/// naming the run; every member sees the target's test set); with ood, OOD detection by each
/// predictor. Writes eval.json, reliability.png and, with ood, ood_scores.png into out_dir.
/// DivergenceError when an output is not finite (naming the checkpoint), ConfigError on bad input.
EvalReport run_evaluation(const EvalRequest& request);

}  // namespace dither
