#include "train/study/compare.h"

#include <set>
#include <system_error>

#include "core/error.h"
#include "core/json_reader.h"
#include "train/atomic_file.h"
#include "train/experiment.h"
#include "train/robustness.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

void flatten(const nlohmann::ordered_json& value, const std::string& prefix,
             std::vector<std::string>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, inner] : value.items()) flatten(inner, prefix + "." + key, out);
    return;
  }
  out.push_back(prefix + "=" + value.dump());
}

std::int64_t base_seed(const nlohmann::ordered_json& config) {
  return config.contains("seed") && config.at("seed").is_number_integer()
             ? config.at("seed").get<std::int64_t>()
             : 42;
}

// A file the study names must exist. A name the system refuses to look up (too long, no
// permission) is the study's error too, not an internal one.
void require_file(const fs::path& file, const std::string& at) {
  std::error_code ec;
  if (fs::exists(file, ec)) return;
  throw ConfigError(at + ": " + file.string() + ": " + (ec ? ec.message() : "no such file"));
}

// A path in the study file, read relative to the study file's folder.
fs::path beside(const fs::path& study_file, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : study_file.parent_path() / p;
}

}  // namespace

std::vector<std::string> flatten_overrides(const nlohmann::ordered_json& object,
                                           const std::string& path) {
  if (!object.is_object()) throw ConfigError(path + ": must be an object of config paths");
  std::vector<std::string> out;
  for (const auto& [key, value] : object.items()) {
    if (key.empty() || key.front() == '.' || key.back() == '.')
      throw ConfigError(join_path(path, key) + ": not a config path");
    std::vector<std::string> part;
    flatten(value, key, part);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

nlohmann::ordered_json compare_spec(const fs::path& study_file) {
  const std::string file = study_file.string();
  nlohmann::ordered_json study;
  try {
    study = nlohmann::ordered_json::parse(read_file(study_file), nullptr, true, true);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(file + ": not valid JSON (" + e.what() + ")");
  }
  const nlohmann::json plain = nlohmann::json::parse(study.dump());
  try {
    const JsonReader root(plain, "");
    root.allow_only(
        {"description", "base", "seeds", "overrides", "variants", "baseline", "evaluate"});
    nlohmann::ordered_json spec;
    spec["kind"] = "compare";
    spec["description"] = root.string("description", "");
    const fs::path base = beside(study_file, root.string("base"));
    require_file(base, "base");
    spec["config"] = nlohmann::ordered_json::parse(read_config(base.string()).dump());
    spec["seeds"] = root.integer("seeds", 3, 1, 1000);
    spec["overrides"] = study.contains("overrides")
                            ? flatten_overrides(study.at("overrides"), "overrides")
                            : std::vector<std::string>{};
    if (!study.contains("variants") || !study.at("variants").is_object() ||
        study.at("variants").empty()) {
      throw ConfigError("variants: must be an object with at least one variant");
    }
    nlohmann::ordered_json variants = nlohmann::ordered_json::array();
    std::set<std::string> names;
    for (const auto& [name, overrides] : study.at("variants").items()) {
      if (name.empty()) throw ConfigError("variants: a variant with an empty name");
      if (!names.insert(sanitize_name(name)).second)
        throw ConfigError("variants." + name + ": clashes with another variant's folder name");
      variants.push_back(
          {{"name", name}, {"overrides", flatten_overrides(overrides, "variants." + name)}});
    }
    spec["variants"] = variants;
    const std::string fallback =
        names.contains("baseline") ? "baseline" : variants.front().at("name").get<std::string>();
    const std::string baseline = root.string("baseline", fallback);
    if (!study.at("variants").contains(baseline))
      throw ConfigError("baseline: '" + baseline + "' is not one of the variants");
    spec["baseline"] = baseline;
    spec["robustness"] = nlohmann::ordered_json::object();
    if (root.has("evaluate")) {
      const JsonReader evaluate = root.object("evaluate");
      evaluate.allow_only({"robustness"});
      const nlohmann::json& suites =
          evaluate.has("robustness") ? evaluate.at("robustness") : nlohmann::json::array();
      if (!suites.is_array())
        throw ConfigError("evaluate.robustness: must be a list of suite files");
      for (std::size_t i = 0; i < suites.size(); ++i) {
        const std::string at = index_path("evaluate.robustness", i);
        if (!suites[i].is_string()) throw ConfigError(at + ": must be a file name");
        const fs::path suite = beside(study_file, suites[i].get<std::string>());
        require_file(suite, at);
        RobustnessSuite::load(suite);
        const std::string name = sanitize_name(suite.stem().string());
        if (spec["robustness"].contains(name))
          throw ConfigError(at + ": a second suite named " + name);
        spec["robustness"][name] =
            nlohmann::ordered_json::parse(read_file(suite), nullptr, true, true);
      }
    }
    return spec;
  } catch (const ConfigError& e) {
    throw ConfigError(file + ": " + e.what());
  }
}

StudyPlan compare_plan(const nlohmann::ordered_json& spec) {
  StudyPlan plan;
  plan.kind = "compare";
  plan.spec = spec;
  const auto common = spec.at("overrides").get<std::vector<std::string>>();
  const std::int64_t seeds = spec.at("seeds").get<std::int64_t>();
  const std::int64_t first = base_seed(spec.at("config"));
  std::vector<std::string> names;
  for (const auto& variant : spec.at("variants")) {
    const std::string name = variant.at("name").get<std::string>();
    for (std::int64_t s = 0; s < seeds; ++s) {
      StudyPoint point;
      point.group = name;
      point.labels = {{"variant", name}};
      point.seed = first + s;
      point.overrides = common;
      for (const auto& o : variant.at("overrides")) point.overrides.push_back(o.get<std::string>());
      point.overrides.push_back("seed=" + std::to_string(point.seed));
      names.push_back(name + ",seed=" + std::to_string(point.seed));
      plan.points.push_back(std::move(point));
    }
  }
  assign_names(plan.points, names);
  for (const auto& [name, suite] : spec.at("robustness").items()) plan.suites.push_back(name);
  return plan;
}

}  // namespace dither
