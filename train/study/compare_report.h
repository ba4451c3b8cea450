#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "train/study/plan.h"
#include "train/study/points.h"

namespace dither {

/// Writes a comparison's report into `out`: report.md (one table, a row per variant: clean
/// accuracy, mean corruption accuracy, robust accuracy at each attack and eps, ECE, NLL and
/// training time, each "mean ± std" over seeds, marked "≈" when within noise of the baseline by
/// within_noise(); failed points listed with their errors under the table), report.json and
/// report.csv with the same numbers (and the validation metrics) for machines, and one bar chart
/// per column in plots/. Returns report.md's table and where the files are.
std::string write_compare_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                                 const std::filesystem::path& out);

}  // namespace dither
