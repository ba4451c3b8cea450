#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/study/plan.h"
#include "train/study/points.h"

namespace dither {

/// The identity of a sweep, as spec.json records it: {"kind": "sweep", "config": the base
/// config (read_config of `config_path`), "grids": [{"key", "values"}], "seeds": N,
/// "robustness": {suite name: the suite}}. Grid syntax errors (parse_grid), seeds outside
/// [1, 1000] and bad suites are ConfigErrors naming the argument or file.
nlohmann::ordered_json sweep_spec(const std::string& config_path,
                                  const std::vector<std::string>& grids, std::int64_t seeds,
                                  const std::string& robustness);

/// The points of a sweep spec: the grid product times the seeds (grid_points), from the base
/// config's seed (42 when it names none).
StudyPlan sweep_plan(const nlohmann::ordered_json& spec);

/// Checks that `metric` names a column sweep.csv will have: val_accuracy, val_loss,
/// test_accuracy, test_loss, test_ece, train_seconds, or with a suite corruption_accuracy and
/// robust_<attack>_<eps>. ConfigError naming --metric otherwise.
void check_sweep_metric(const std::string& metric, bool with_suite);

/// Writes sweep.csv (one row per point and seed: the swept values, the status, the metrics, the
/// error of a failed point), best.json (the best group of seeds by `metric`, mean over seeds,
/// maximised unless lower_is_better, and the ranking of every group) and plot_<key>.png (each
/// metric against each swept value, error bars one standard deviation over seeds) into `out`.
/// Returns the lines to print.
std::string write_sweep_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                               const std::filesystem::path& out, const std::string& metric);

}  // namespace dither
