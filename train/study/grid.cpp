#include "train/study/grid.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace dither {
namespace {

// `text` split at the commas that sit outside brackets, braces and double quotes.
std::vector<std::string> split_values(const std::string& text, const std::string& what) {
  std::vector<std::string> values;
  std::string current;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 1 < text.size())
        current += text[i++];
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth < 0) throw ConfigError(what + ": unbalanced '" + std::string(1, c) + "'");
    } else if (c == ',' && depth == 0) {
      values.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (quoted) throw ConfigError(what + ": unterminated '\"'");
  if (depth != 0) throw ConfigError(what + ": unbalanced brackets");
  values.push_back(current);
  return values;
}

// A value as a folder name reads it: JSON punctuation dropped (`[{"type":"gaussian"}]` gives
// `type-gaussian`), "empty" for an empty list or object.
std::string name_of(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (std::string("\"{}[] ").find(c) != std::string::npos) continue;
    out += c == ':' ? '-' : c;
  }
  return out.empty() ? "empty" : out;
}

}  // namespace

GridAxis parse_grid(const std::string& text) {
  const std::string what = "--grid " + text;
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError(what + ": expected key.path=v1,v2,...");
  GridAxis axis{text.substr(0, eq), {}};
  if (axis.key.empty()) throw ConfigError(what + ": the key before '=' is empty");
  if (axis.key.front() == '.' || axis.key.back() == '.' ||
      axis.key.find("..") != std::string::npos) {
    throw ConfigError(what + ": '" + axis.key + "' has an empty part between dots");
  }
  if (axis.key == "seed") throw ConfigError(what + ": seeds are swept with --seeds N");
  std::set<std::string> seen;
  for (const std::string& value : split_values(text.substr(eq + 1), what)) {
    if (value.empty()) throw ConfigError(what + ": an empty value (two commas, or one at an end)");
    if (!seen.insert(value).second) throw ConfigError(what + ": the value " + value + " twice");
    axis.values.push_back(value);
  }
  return axis;
}

std::vector<StudyPoint> grid_points(const std::vector<GridAxis>& axes, std::int64_t seeds,
                                    std::int64_t base_seed) {
  if (axes.empty()) throw ConfigError("sweep: give at least one --grid key.path=v1,v2,...");
  std::set<std::string> keys;
  for (const GridAxis& axis : axes) {
    if (!keys.insert(axis.key).second)
      throw ConfigError("--grid " + axis.key + ": given twice; list all its values in one --grid");
  }
  // Bounded at each step, so that no product of axes or seeds can overflow.
  const auto per_setting = static_cast<std::size_t>(std::max<std::int64_t>(seeds, 1));
  std::size_t combinations = 1;
  for (const GridAxis& axis : axes) {
    combinations *= axis.values.size();
    if (combinations > kMaxSweepPoints / per_setting) {
      throw ConfigError(str("--grid: more than ", kMaxSweepPoints,
                            " points (settings x seeds); split the sweep"));
    }
  }
  std::vector<StudyPoint> points;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < combinations; ++c) {
    StudyPoint base;
    std::string pretty;
    std::size_t rest = c;
    // Mixed-radix digits of c, the last axis fastest.
    std::vector<std::size_t> digits(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      digits[a] = rest % axes[a].values.size();
      rest /= axes[a].values.size();
    }
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const std::string& value = axes[a].values[digits[a]];
      base.labels.emplace_back(axes[a].key, value);
      base.overrides.push_back(axes[a].key + "=" + value);
      base.group += (base.group.empty() ? "" : ",") + axes[a].key + "=" + value;
      pretty += (pretty.empty() ? "" : ",") + axes[a].key + "=" + name_of(value);
    }
    for (std::int64_t s = 0; s < seeds; ++s) {
      StudyPoint point = base;
      point.seed = base_seed + s;
      point.overrides.push_back("seed=" + std::to_string(point.seed));
      names.push_back(pretty + ",seed=" + std::to_string(point.seed));
      points.push_back(std::move(point));
    }
  }
  assign_names(points, names);
  return points;
}

}  // namespace dither
