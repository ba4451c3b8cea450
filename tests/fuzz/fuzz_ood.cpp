// OOD specs (`dither eval RUN --ood SPEC.json`): the bytes as a spec file, loaded as eval loads
// it against the test sets of three small models (moons points, 28x28 images, loans rows). The
// harness keeps one execution small: noise sets of more than a million values are skipped, data
// specs may only name generated sets (the file readers have their own targets) or MNIST, whose
// folder is pointed at a tiny one, and every number in a data spec must stay within +-4096.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "fuzz_models.h"
#include "fuzz_support.h"
#include "train/ood.h"

namespace {

// The number of values a noise spec asks for against `reference`, as written (1000 samples by
// default).
double noise_values(const nlohmann::json& spec, const dither::DatasetInfo& reference) {
  const double size =
      spec.contains("size") && spec["size"].is_number() ? spec["size"].get<double>() : 1000;
  return size * static_cast<double>(dither::numel(reference.sample_shape));
}

// Whether loading `spec` stays within the harness's budget; MNIST specs get the tiny folder.
bool affordable(nlohmann::json& spec, const dither::DatasetInfo& reference,
                const std::string& images) {
  if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string()) return true;
  const std::string name = spec["name"].get<std::string>();
  if (name == "noise") return noise_values(spec, reference) <= 1e6;
  static const std::set<std::string> generated{"moons", "circles",   "spirals",
                                               "blobs", "waveforms", "loans"};
  if (name == "mnist" || name == "fashion-mnist") {
    spec["path"] = images;
  } else if (!generated.contains(name)) {
    return false;
  }
  return dither::fuzz::small_numbers(spec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<dither::Experiment> models = dither::fuzz::tiny_experiments();
  static const std::string images = dither::fuzz::image_folder();
  nlohmann::json spec =
      nlohmann::json::parse(dither::fuzz::bytes(data, size), nullptr, false, true);
  for (const dither::Experiment& e : models) {
    // Invalid JSON goes to the reader as written: its parse errors are part of what is fuzzed.
    if (!spec.is_discarded() && !affordable(spec, e.data.test, images)) continue;
    const std::string path = dither::fuzz::scratch_file(
        "ood.json", spec.is_discarded() ? dither::fuzz::bytes(data, size) : spec.dump());
    try {
      const dither::Dataset ood = dither::load_ood_set(path, e.data.test, 7);
      if (ood.sample_shape != e.data.test.sample_shape) __builtin_trap();
    } catch (const dither::ConfigError&) {
    }
  }
  return 0;
}
