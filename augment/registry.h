#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"

namespace dither {

using HookFactory =
    std::function<std::unique_ptr<Hook>(const nlohmann::json& spec, const std::string& path)>;

/// Maps a noise entry's "type" to its hook. Built on first use from register_builtin_hooks().
class HookRegistry {
 public:
  static HookRegistry& instance();
  void add(const std::string& type, HookFactory factory);  ///< Throws if registered twice.
  /// Throws ConfigError naming `path` for a missing or unknown type.
  std::unique_ptr<Hook> create(const nlohmann::json& spec, const std::string& path) const;
  std::vector<std::string> types() const;

 private:
  std::map<std::string, HookFactory> factories_;
};

/// Every noise hook's JSON name, in one place.
void register_builtin_hooks(HookRegistry& registry);

/// The hooks of a config's "noise" list, in order, their keys validated. Call setup_hooks once
/// the model and loss exist.
std::vector<std::unique_ptr<Hook>> make_hooks(const nlohmann::json& list,
                                              const std::string& path = "noise");

/// Runs every hook's setup() with `base` and its own path ("noise[i]"), in config order.
void setup_hooks(const std::vector<std::unique_ptr<Hook>>& hooks, const HookSetup& base,
                 const std::string& path = "noise");

}  // namespace dither
