#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "train/study/plan.h"
#include "train/study/points.h"
#include "train/study/shard.h"

namespace dither {

/// Writes a study's tables and plots into a folder from every point's outcome (in plan order);
/// returns what to print for a person.
using StudyReporter = std::function<std::string(const StudyPlan&, const std::vector<PointOutcome>&,
                                                const std::filesystem::path& out)>;

/// The points of `plan` that `shard` holds, trained into `dir` (opened and locked here) one
/// after another, with one line per point on stdout. When `dir` then holds every point of the
/// plan (the whole study, or the last shard into a shared folder), `report` writes the tables
/// into `dir`; otherwise a line says how to merge the shards. Returns the exit status:
/// study_status() of the outcomes.
int run_study(const StudyPlan& plan, const std::filesystem::path& dir, const Shard& shard,
              const StudyReporter& report);

/// `--collect DIR...`: every point of the study that the folders hold (each must hold the same
/// spec), reported into `out` (default: the first folder). ConfigError naming the folder of a
/// different study, or listing the points that no folder holds finished or failed.
/// `plan_of` rebuilds the plan from the recorded spec.
int collect_study(const std::vector<std::filesystem::path>& dirs,
                  const std::optional<std::filesystem::path>& out, const std::string& kind,
                  const std::function<StudyPlan(const nlohmann::ordered_json&)>& plan_of,
                  const StudyReporter& report);

/// 0 when every point finished; else 2 when every failure was bad input (a bad override), 1
/// when a point diverged or failed inside.
int study_status(const std::vector<PointOutcome>& outcomes);

}  // namespace dither
