#include "augment/strength.h"

#include <algorithm>
#include <string>

namespace dither {

double Strength::at(double epochs_done) const {
  if (ramp_epochs <= 0.0) return value;
  return value * std::clamp(epochs_done / ramp_epochs, 0.0, 1.0);
}

Strength Strength::read(const JsonReader& reader, std::string_view key, double fallback, double low,
                        double high) {
  Strength s;
  s.value = reader.number(key, fallback, low, high);
  s.ramp_epochs = reader.number("ramp_epochs", 0.0, 0.0, 1e6);
  return s;
}

void Strength::write(nlohmann::json& spec, std::string_view key) const {
  spec[std::string(key)] = value;
  spec["ramp_epochs"] = ramp_epochs;
}

}  // namespace dither
