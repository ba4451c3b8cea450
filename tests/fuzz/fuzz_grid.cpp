// `dither sweep CONFIG --grid key=v1,v2 ...`: each line of the bytes is one --grid argument;
// the axes are expanded into the sweep's points (times 2 seeds) as sweep does before training,
// then the overrides of the first 256 points are applied to a small config, as their trainings
// would apply them (all of up to 100,000 points would make one execution slow).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/overrides.h"
#include "train/study/grid.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::json base = nlohmann::json::parse(R"({
    "seed": 1, "data": {"name": "moons"}, "optimizer": {"type": "sgd", "lr": 0.1},
    "noise": [{"type": "gaussian", "sigma": 0.1}],
    "model": {"layers": [{"type": "linear", "out": 8}, {"type": "relu"},
                         {"type": "linear", "out": 2}]}})");
  const std::string text = dither::fuzz::bytes(data, size);
  try {
    std::vector<dither::GridAxis> axes;
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto end = std::min(text.find('\n', start), text.size());
      axes.push_back(dither::parse_grid(text.substr(start, end - start)));
      start = end + 1;
    }
    const std::vector<dither::StudyPoint> points = dither::grid_points(axes, 2, 40);
    if (points.empty() || points.size() > dither::kMaxSweepPoints) __builtin_trap();
    for (std::size_t p = 0; p < points.size() && p < 256; ++p) {
      nlohmann::json config = base;
      try {
        for (const std::string& o : points[p].overrides) dither::apply_override(config, o);
      } catch (const dither::ConfigError&) {
      }
    }
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
