#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dither {

/// One training of a study: the base config with `overrides` applied, trained into
/// points/<name>/ of the study folder.
struct StudyPoint {
  std::string name;   ///< the folder name: readable, stable, safe for any filesystem
  std::string group;  ///< what the seeds repeat: the swept values or the variant, without the seed
  /// What sets this point apart, for tables: the swept key and value text of a sweep, or
  /// {"variant", name} for a comparison.
  std::vector<std::pair<std::string, std::string>> labels;
  std::int64_t seed = 0;
  std::vector<std::string> overrides;  ///< key.path=value, applied in order (the seed last)

  nlohmann::json to_json() const;
};

/// Everything a study folder holds the identity of: the spec as recorded in spec.json, and the
/// points it expands to, in their deterministic order.
struct StudyPlan {
  std::string kind;  ///< "sweep" or "compare"
  nlohmann::ordered_json spec;
  std::vector<StudyPoint> points;
  std::vector<std::string> suites;  ///< robustness suite names, the keys of spec["robustness"]
};

/// A name safe as one path component: letters, digits and . _ = , + - @ kept, anything else
/// '_'; a leading '.' becomes '_'.
std::string sanitize_name(const std::string& text);

/// Gives every point a unique folder name: `wanted` sanitised, cut to 120 characters, and
/// "-<position>" appended where two names would clash.
void assign_names(std::vector<StudyPoint>& points, const std::vector<std::string>& wanted);

/// Points that repeat one setting over seeds: the shared group, its labels, and the positions of
/// its points in the plan.
struct PointGroup {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::size_t> members;
};

/// The plan's groups in the order they first appear.
std::vector<PointGroup> groups_of(const StudyPlan& plan);

/// A CSV cell: as is, or in double quotes (inner quotes doubled) when it holds a comma, a quote
/// or a line break.
std::string csv_cell(const std::string& text);

/// A number for CSV and JSON-minded readers: 10 significant digits, "" for NaN.
std::string csv_number(double value);

/// Whether a metric is better when smaller: losses, calibration errors and times.
bool lower_is_better(const std::string& metric);

}  // namespace dither
