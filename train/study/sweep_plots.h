#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "train/study/plan.h"
#include "train/study/points.h"

namespace dither {

/// One PNG per swept key, plot_<key>.png in `out`: a panel per metric (`metric` first, then the
/// other columns of sweep.csv, at most eight) against the key's values, one line per setting of
/// the other keys, error bars one standard deviation over the seeds. A numeric key is drawn on a
/// numeric axis (logarithmic when its positive values span a factor 20 or more), any other by
/// position. Appends the files drawn to `files`; returns "" or why a plot was not drawn.
std::string plot_sweep(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                       const std::string& metric, const std::vector<std::string>& columns,
                       const std::filesystem::path& out, std::vector<std::string>& files);

}  // namespace dither
