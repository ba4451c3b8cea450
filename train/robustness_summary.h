#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/metrics.h"

namespace dither {

/// One measured condition: the clean test set, one attack at one eps, or one corruption at one
/// severity.
struct RobustnessRow {
  std::string kind;       ///< "clean", "attack" or "corruption"
  std::string name;       ///< "clean", "fgsm", "pgd", or the corruption's name
  double strength = 0.0;  ///< eps, or the severity
  Evaluation result;
};

/// One corruption over its severities. ce and relative_ce are percentages of the baseline's
/// (NaN without a baseline, or when the baseline's error is 0).
struct CorruptionScore {
  std::string name;
  std::int64_t severities = 0;
  double accuracy = 0.0;  ///< mean over severities
  double ce = std::numeric_limits<double>::quiet_NaN();
  double relative_ce = std::numeric_limits<double>::quiet_NaN();
};

/// The corruption part of a report (Hendrycks & Dietterich 2019). With err(c, s) = 1 - accuracy
/// of corruption c at severity s: CE_c = sum_s err(c, s) / sum_s err_base(c, s), mCE = 100 *
/// mean_c CE_c (100 is "as robust as the baseline", lower is better), and the relative
/// CE_c = sum_s (err(c, s) - err_clean) / sum_s (err_base(c, s) - err_base_clean): how much
/// accuracy the corruption costs, against what it costs the baseline. A CE whose denominator is
/// not positive (the baseline is perfect under c, or c costs it nothing) is undefined (NaN) and
/// left out of its mean, with a warning (undefined()).
struct CorruptionSummary {
  double clean_accuracy = 0.0;
  double mean_accuracy = std::numeric_limits<double>::quiet_NaN();  ///< over every (c, s)
  std::int64_t conditions = 0;
  std::vector<CorruptionScore> corruptions;
  std::string baseline;  ///< the baseline run, "" for none
  double baseline_clean_accuracy = std::numeric_limits<double>::quiet_NaN();
  double baseline_mean_accuracy = std::numeric_limits<double>::quiet_NaN();
  double mce = std::numeric_limits<double>::quiet_NaN();
  double relative_mce = std::numeric_limits<double>::quiet_NaN();

  nlohmann::json to_json() const;
  /// Why some corruptions' CE or relative CE are left out of the means.
  std::vector<std::string> undefined() const;
  /// Lines for the terminal: mean corruption accuracy, and mCE when there is a baseline.
  std::string to_text() const;
};

/// The summary of `rows` (the clean row first), against `baseline_rows` measured on the same
/// suite when `baseline` names a run (matched by corruption and severity; a condition the
/// baseline lacks is an Error).
CorruptionSummary summarize_corruptions(const std::vector<RobustnessRow>& rows,
                                        const std::vector<RobustnessRow>& baseline_rows,
                                        const std::string& baseline);

}  // namespace dither
