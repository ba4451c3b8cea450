#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/json_reader.h"

namespace dither {

/// A hook's strength (sigma, eps, alpha, a drop rate) with an optional linear ramp from 0 over
/// the first `ramp_epochs` epochs of training, measured in fractional epochs so the ramp rises
/// batch by batch. One helper for every hook: `{"sigma": 0.2, "ramp_epochs": 3}`.
struct Strength {
  double value = 0.0;
  double ramp_epochs = 0.0;  ///< 0: full strength from the first step

  /// The strength after `epochs_done` epochs of training.
  double at(double epochs_done) const;

  /// Reads `key` (in [low, high], `fallback` when absent) and "ramp_epochs" (>= 0, default 0).
  static Strength read(const JsonReader& reader, std::string_view key, double fallback, double low,
                       double high);
  /// Writes `key` and "ramp_epochs" into a hook's spec.
  void write(nlohmann::json& spec, std::string_view key) const;
};

}  // namespace dither
