// The config loader with --set overrides: lines before a line "---" are overrides, the rest is
// the config. The data block is replaced by a tiny moons set and any number in the model above
// 4096 is refused by the harness, so that one execution stays small; every other block
// (seed, loss, optimizer, schedule, noise, train, the model's layers) is read as `dither train`
// reads it.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/experiment.h"
#include "train/overrides.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = dither::fuzz::bytes(data, size);
  const auto split = text.find("\n---\n");
  const std::string overrides = split == std::string::npos ? "" : text.substr(0, split);
  const std::string body = split == std::string::npos ? text : text.substr(split + 5);
  nlohmann::json config = nlohmann::json::parse(body, nullptr, false, true);
  if (config.is_discarded()) return 0;
  try {
    std::size_t start = 0;
    while (start < overrides.size()) {
      const auto end = overrides.find('\n', start);
      dither::apply_override(config, overrides.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    if (!config.is_object()) return 0;
    config["data"] = {{"name", "moons"}, {"train_size", 40}, {"test_size", 20}};
    if (config.contains("model") && !dither::fuzz::small_numbers(config["model"])) return 0;
    if (config.contains("train") && !dither::fuzz::small_numbers(config["train"])) return 0;
    const dither::Experiment e = dither::build_experiment(config);
    // What config.json holds must build again, to the same resolved config.
    if (dither::build_experiment(e.resolved).resolved != e.resolved) __builtin_trap();
  } catch (const dither::ConfigError&) {
  } catch (const dither::ShapeError&) {
  }
  return 0;
}
