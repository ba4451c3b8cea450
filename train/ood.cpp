#include "train/ood.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/random.h"
#include "train/data/registry.h"
#include "train/experiment.h"

namespace dither {
namespace {

bool bounded(const ValueRange& r) { return std::isfinite(r.low) && std::isfinite(r.high); }

Dataset noise_set(const JsonReader& r, const DatasetInfo& reference, std::uint64_t seed) {
  r.allow_only({"name", "distribution", "size", "shape", "low", "high", "mean", "std", "seed"});
  if (reference.kind == InputKind::tokens)
    throw ConfigError(r.path() + ": noise inputs make no sense for token ids; give a data spec");
  const std::string distribution = r.string("distribution", "uniform", {"uniform", "gaussian"});
  const std::int64_t size = r.integer("size", 1000, 1, 1000000);
  const auto seed_value = static_cast<std::uint64_t>(
      r.integer("seed", static_cast<std::int64_t>(seed & 0x7fffffffffffffff), 0));
  const Shape& shape = reference.sample_shape;
  // Checked before allocating: size x numel of a mistyped shape can overflow or ask for terabytes.
  if (r.has("shape")) {
    const Shape asked = r.integers("shape", std::nullopt, 0, 1);
    if (asked != shape) {
      throw ConfigError(r.path_of("shape") + ": the OOD samples have shape " + to_string(asked) +
                        ", the model's inputs " + to_string(shape));
    }
  }
  const ValueRange range = reference.value_range;
  const bool finite = bounded(range);
  // Defaults come from a bounded value range; unbounded data must say where its noise lies.
  const auto fallback = [&](const char* key, double value) -> std::optional<double> {
    if (finite) return value;
    if (!r.has(key))
      throw ConfigError(r.path_of(key) + ": is required: the data's values are unbounded");
    return std::nullopt;
  };
  Dataset out;
  static_cast<DatasetInfo&>(out) = reference;
  out.name = "noise (" + distribution + ")";
  out.audio = nullptr;
  std::vector<float> values(static_cast<std::size_t>(size * numel(shape)));
  const RandomStream stream(seed_value, "ood.noise");
  if (distribution == "uniform") {
    const double low = r.number("low", fallback("low", range.low));
    const double high = r.number("high", fallback("high", range.high), Interval::above(low));
    stream.fill_uniform(values, static_cast<float>(low), static_cast<float>(high));
  } else {
    const double mean = r.number("mean", fallback("mean", 0.5 * (range.low + range.high)));
    const double std =
        r.number("std", fallback("std", 0.25 * (range.high - range.low)), Interval::above(0.0));
    stream.fill_normal(values, static_cast<float>(mean), static_cast<float>(std));
  }
  if (finite) {
    for (float& v : values) v = std::clamp(v, range.low, range.high);
  }
  if (reference.kind == InputKind::image) {  // images are stored as pixels, x = p / 255
    out.pixels.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
      out.pixels[i] = static_cast<std::uint8_t>(std::lround(255.0f * values[i]));
  } else {
    out.values = std::move(values);
  }
  out.labels.assign(static_cast<std::size_t>(size), 0);  // unused: OOD samples have no class here
  return out;
}

void check_fits(const Dataset& ood, const DatasetInfo& reference, const std::string& where) {
  if (ood.sample_shape != reference.sample_shape) {
    throw ConfigError(where + ": the OOD samples have shape " + to_string(ood.sample_shape) +
                      ", the model's inputs " + to_string(reference.sample_shape));
  }
  if (ood.kind != reference.kind) {
    throw ConfigError(where + ": the OOD samples are " + to_string(ood.kind) +
                      " inputs, the model's are " + to_string(reference.kind));
  }
}

}  // namespace

Dataset load_ood_set(const std::filesystem::path& file, const DatasetInfo& reference,
                     std::uint64_t seed) {
  const nlohmann::json spec = read_config(file.string());
  Dataset ood;
  try {
    const JsonReader r(spec, "ood");
    if (r.string("name") == "noise") {
      ood = noise_set(r, reference, seed);
    } else {
      ood = load_data(spec, seed, "ood").test;
    }
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
  check_fits(ood, reference, file.string());
  if (ood.size() == 0) throw ConfigError(file.string() + ": the OOD set is empty");
  ood.validate();
  return ood;
}

}  // namespace dither
