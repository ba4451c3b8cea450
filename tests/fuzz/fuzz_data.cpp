// The "data" block of a config, read by load_data as `dither train` reads it, for the datasets
// the project generates or ships (moons, circles, spirals, blobs, waveforms, loans, words).
// The file readers behind fashion-mnist, mnist and csv have their own targets (fuzz_idx,
// fuzz_csv); spoken_digits synthesises speech, seconds per set. Any number above 4096 is
// refused by the harness, and a "path" is dropped (words then reads /usr/share/dict), so one
// execution stays small and reads no file the fuzzer names.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/data/registry.h"

namespace {

bool same_samples(const dither::Dataset& a, const dither::Dataset& b) {
  return a.labels == b.labels && a.values == b.values && a.tokens == b.tokens &&
         a.lengths == b.lengths && a.sample_shape == b.sample_shape &&
         a.num_classes == b.num_classes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json spec =
      nlohmann::json::parse(dither::fuzz::bytes(data, size), nullptr, false, true);
  if (spec.is_discarded() || !spec.is_object() || !dither::fuzz::small_numbers(spec)) return 0;
  static const std::set<std::string> generated{"moons",     "circles", "spirals", "blobs",
                                               "waveforms", "loans",   "words"};
  const auto name = spec.find("name");
  if (name == spec.end() || !name->is_string() || !generated.contains(name->get<std::string>()))
    return 0;
  spec.erase("path");
  try {
    const dither::DataSplits splits = dither::load_data(spec, 7);
    splits.train.validate();
    splits.validation.validate();
    splits.test.validate();
    // The resolved spec (what config.json records) must load the same sets again.
    const dither::DataSplits again = dither::load_data(splits.resolved, 7);
    if (again.resolved != splits.resolved || !same_samples(again.train, splits.train) ||
        !same_samples(again.validation, splits.validation) ||
        !same_samples(again.test, splits.test)) {
      __builtin_trap();
    }
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
