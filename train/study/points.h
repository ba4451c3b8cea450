#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "train/study/plan.h"

namespace dither {

/// Where one point of a study stands, and what it measured.
struct PointOutcome {
  enum class Status { finished, failed, missing };
  Status status = Status::missing;
  bool bad_input = false;  ///< failed on a ConfigError (a bad override), not by diverging
  bool trained = false;    ///< trained (or resumed) by this process, not found finished
  std::string error;       ///< why it failed
  std::filesystem::path dir;
  /// Named metrics in a fixed order: val_accuracy, val_loss (at the best epoch), test_accuracy,
  /// test_loss, test_ece, train_seconds, then per robustness suite corruption_accuracy and
  /// robust_<attack>_<eps> (prefixed "<suite>." when the study has several suites).
  std::vector<std::pair<std::string, double>> metrics;

  /// The named metric, NaN when the point lacks it.
  double metric(const std::string& name) const;
};

/// The metric names of the first finished outcome (every point of one study measures the same);
/// empty when none finished.
std::vector<std::string> metric_names(const std::vector<PointOutcome>& outcomes);

/// The folder of `point` in the study folder `study_dir`: points/<name>/.
std::filesystem::path point_dir(const std::filesystem::path& study_dir, const StudyPoint& point);

/// What the point's folder holds, without training: finished (summary.json and every suite's
/// robustness.json), failed (failed.json) or missing. ConfigError when the folder's point.json
/// names another point.
PointOutcome read_point(const std::filesystem::path& dir, const StudyPoint& point,
                        const std::vector<std::string>& suites);

/// Brings one point to finished: a finished point is left alone; a half-trained one resumes from
/// its last.ckpt (run_training with resume_dir); a new or failed one trains from
/// study_dir/base.json with the point's overrides; then each suite of study_dir/suites/ that has
/// no robustness.json yet is measured into robustness/<suite>/. Any error (a bad override, a
/// diverged run) is recorded in failed.json and returned as a failed outcome, so that the study
/// goes on; an interruption (SIGINT, SIGTERM) propagates.
PointOutcome run_point(const std::filesystem::path& study_dir, const StudyPoint& point,
                       const std::vector<std::string>& suites);

}  // namespace dither
