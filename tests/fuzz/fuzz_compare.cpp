// Study files (`dither compare STUDY.json`): the bytes as studies/study.json in a scratch copy of
// the shipped examples' layout (configs/ and robustness/ beside studies/, so that the examples'
// relative paths resolve), read into its spec and expanded into its points as compare does
// before training; then each point's overrides are applied to the base config, as the point's
// training would apply them.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/overrides.h"
#include "train/study/compare.h"

namespace {

namespace fs = std::filesystem;

// The scratch folder, with copies of the shipped configs and robustness suites; made once.
fs::path study_folder() {
  const fs::path dir = dither::fuzz::scratch_file("study", "") + "-dir";
  for (const char* sub : {"configs", "robustness"}) {
    fs::create_directories(dir / sub);
    fs::copy(fs::path(DITHER_SOURCE_DIR) / "examples" / sub, dir / sub,
             fs::copy_options::overwrite_existing);
  }
  fs::create_directories(dir / "studies");
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path dir = study_folder();
  const fs::path study = dir / "studies" / "study.json";
  { std::ofstream(study, std::ios::binary | std::ios::trunc) << dither::fuzz::bytes(data, size); }
  try {
    const dither::StudyPlan plan = dither::compare_plan(dither::compare_spec(study));
    const nlohmann::json base = nlohmann::json::parse(plan.spec.at("config").dump());
    for (const dither::StudyPoint& point : plan.points) {
      nlohmann::json config = base;
      try {
        for (const std::string& o : point.overrides) dither::apply_override(config, o);
      } catch (const dither::ConfigError&) {
      }
    }
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
