#pragma once

#include <cstddef>
#include <string>

namespace dither {

/// `--shard i/N`: the i-th of N shares of a study's points, 1-based (i in 1..N, as a Slurm job
/// array numbered from 1 gives it). Shard i trains the points whose position p (0-based, in the
/// study's deterministic order) has p % N == i - 1, so the N shards cover every point once.
struct Shard {
  std::size_t index = 1;
  std::size_t count = 1;

  /// Parses "i/N"; ConfigError naming the argument unless 1 <= i <= N.
  static Shard parse(const std::string& text);
  /// Whether the point at `position` belongs to this shard.
  bool holds(std::size_t position) const { return position % count == index - 1; }
  bool whole() const { return count == 1; }
  std::string to_string() const;
};

}  // namespace dither
