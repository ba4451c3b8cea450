#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/study/plan.h"

namespace dither {

/// Reads a study file and returns its identity, as spec.json records it. The file:
/// {"description": "...", "base": "config.json" (relative to the study file), "seeds": 3,
///  "overrides": {...}, "variants": {"baseline": {}, "+gaussian": {"noise": [...]}, ...},
///  "baseline": "baseline", "evaluate": {"robustness": ["suite.json", ...]}}.
/// "overrides" (applied to every variant first) and each variant map config paths to JSON
/// values: a key may be dotted ("optimizer.lr": 0.01) and a nested object is read as more
/// dotted keys ({"optimizer": {"lr": 0.01}} is the same), so objects merge into the base config
/// while lists and other values replace. "baseline" (default: the variant named "baseline", else
/// the first) is the variant the report compares with; variants keep the file's order. The spec
/// holds the base config and the suites themselves, not their paths. ConfigError naming the study
/// file and the JSON path at fault.
nlohmann::ordered_json compare_spec(const std::filesystem::path& study_file);

/// The points of a compare spec: every variant (in order) times the seeds, named
/// `<variant>,seed=<S>`, from the base config's seed (42 when it names none).
StudyPlan compare_plan(const nlohmann::ordered_json& spec);

/// The overrides (key.path=value) a JSON object of config paths stands for, nested objects
/// flattened into dotted keys, in the object's order; `path` names it in errors.
std::vector<std::string> flatten_overrides(const nlohmann::ordered_json& object,
                                           const std::string& path);

}  // namespace dither
