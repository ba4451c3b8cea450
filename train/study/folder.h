#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "train/run_folder.h"

namespace dither {

/// Opens the study folder `dir` for `spec` and locks it (FolderLock) for as long as the result
/// lives. A new or empty folder gets spec.json, base.json (spec["config"], the config every point
/// starts from) and suites/<name>.json (spec["robustness"]); a folder holding spec.json must hold
/// this very spec (ConfigError naming the first difference); any other non-empty folder is
/// refused (ConfigError), so a study never writes into a run or a stranger's files.
std::unique_ptr<FolderLock> open_study_folder(const std::filesystem::path& dir,
                                              const nlohmann::ordered_json& spec);

/// A study folder's spec.json; ConfigError naming `dir` when it is not a study folder.
nlohmann::ordered_json read_spec(const std::filesystem::path& dir);

/// "" when `recorded` and `now` are the same spec, else where they first differ:
/// "/grids/0/values: [0.1,0.2] before, [0.1,0.3] now".
std::string spec_difference(const nlohmann::ordered_json& recorded,
                            const nlohmann::ordered_json& now);

}  // namespace dither
