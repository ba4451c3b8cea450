#include "train/study/plan.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <set>

namespace dither {

nlohmann::json StudyPoint::to_json() const {
  nlohmann::json labels_json = nlohmann::json::array();
  for (const auto& [key, value] : labels) labels_json.push_back({key, value});
  return {{"name", name},
          {"group", group},
          {"labels", labels_json},
          {"seed", seed},
          {"overrides", overrides}};
}

std::string sanitize_name(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    const bool keep =
        std::isalnum(c) || std::string("._=,+-@").find(static_cast<char>(c)) != std::string::npos;
    out += keep ? static_cast<char>(c) : '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

void assign_names(std::vector<StudyPoint>& points, const std::vector<std::string>& wanted) {
  constexpr std::size_t kLongest = 120;
  std::set<std::string> taken;
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::string name = sanitize_name(wanted[i]).substr(0, kLongest);
    if (taken.contains(name) || name.size() == kLongest) {
      name += '-';
      name += std::to_string(i);
    }
    taken.insert(name);
    points[i].name = name;
  }
}

std::vector<PointGroup> groups_of(const StudyPlan& plan) {
  std::vector<PointGroup> groups;
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    const StudyPoint& point = plan.points[p];
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const PointGroup& g) { return g.name == point.group; });
    if (it == groups.end()) {
      groups.push_back({point.group, point.labels, {}});
      it = std::prev(groups.end());
    }
    it->members.push_back(p);
  }
  return groups;
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

bool lower_is_better(const std::string& metric) {
  for (const char* part : {"loss", "ece", "seconds"}) {
    if (metric.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace dither
