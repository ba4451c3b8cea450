#include "train/overrides.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/error.h"

namespace dither {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '.') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

bool is_index(const std::string& part) {
  return !part.empty() &&
         std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

void apply_override(nlohmann::json& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set " + assignment + ": expected key.path=value");
  }
  try {
    (void)nlohmann::json(assignment).dump();  // a key or string value must be valid UTF-8
  } catch (const nlohmann::json::type_error&) {
    throw ConfigError(
        "--set: '" +
        nlohmann::json(assignment).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) +
        "' is not valid UTF-8");
  }
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;

  const auto parts = split_path(path);
  nlohmann::json* node = &config;
  std::string walked;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) throw ConfigError("--set " + assignment + ": empty key in '" + path + "'");
    const bool last = i + 1 == parts.size();
    walked += (walked.empty() ? "" : ".") + part;
    if (node->is_array()) {
      if (!is_index(part)) {
        throw ConfigError("--set " + assignment + ": '" + walked +
                          "' indexes a list; use a number");
      }
      const std::size_t index = part.size() > 9 ? node->size() + 1 : std::stoul(part);
      // Appending takes a whole entry (noise.2={"type": ...}); a key inside a missing entry
      // (noise.2.sigma on a list of two) is a typo for an existing one, not a new entry.
      if (index > node->size() || (index == node->size() && !last)) {
        throw ConfigError("--set " + assignment + ": '" + walked +
                          "' is past the end of a list of " + std::to_string(node->size()) +
                          (index == node->size() ? " (append a whole entry: " + walked + "={...})"
                                                 : std::string()));
      }
      if (index == node->size()) node->push_back(value);
      node = &(*node)[index];
    } else {
      if (node->is_null()) *node = nlohmann::json::object();
      if (!node->is_object()) {
        throw ConfigError("--set " + assignment + ": '" + walked +
                          "' goes inside a value that is not an object");
      }
      node = &(*node)[part];
    }
    if (last) *node = value;
  }
}

}  // namespace dither
