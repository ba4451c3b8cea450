#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace dither {

/// Applies one `--set key.path=value` to a config. The path is dotted; list indices are
/// numbers (`noise.0.sigma=0.2`). The value is read as JSON when it parses (numbers, true,
/// lists...) and as a string otherwise. Missing objects along the path are created; a list
/// index must exist, or be the list's length as the last part of the path (appends the value
/// as a whole entry). Throws ConfigError naming the override.
void apply_override(nlohmann::json& config, const std::string& assignment);

}  // namespace dither
