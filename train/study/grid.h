#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "train/study/plan.h"

namespace dither {

/// One `--grid key.path=v1,v2,...`: a config path and the values it takes, each as written
/// (read as JSON when it parses, as for --set). Commas inside brackets, braces or quotes do not
/// split, so `--grid 'noise=[],[{"type":"gaussian","sigma":0.1}]'` gives two values.
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

/// Parses one --grid argument; ConfigError naming it on a missing '=', an empty key or value,
/// unbalanced brackets or quotes, a repeated value, or the key `seed` (use --seeds).
GridAxis parse_grid(const std::string& text);

/// At most this many points (settings times seeds) in one sweep: more is a typo, not a study, and
/// the product of a few long axes would otherwise overflow or exhaust memory.
inline constexpr std::size_t kMaxSweepPoints = 100000;

/// The product of `axes` (the first axis varies slowest) times `seeds` seeds base_seed,
/// base_seed + 1, ... (the fastest), as points named `key=value,...,seed=S`. ConfigError when two
/// axes share a key, there is no axis, or there would be more than kMaxSweepPoints points.
std::vector<StudyPoint> grid_points(const std::vector<GridAxis>& axes, std::int64_t seeds,
                                    std::int64_t base_seed);

}  // namespace dither
