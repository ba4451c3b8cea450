#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dither {

/// The `dither sweep` and `dither compare` subcommands: their options, and running the one the
/// command line chose.
struct StudyCommands {
  CLI::App* sweep = nullptr;
  CLI::App* compare = nullptr;

  std::string config;
  std::vector<std::string> grids;
  std::int64_t seeds = 1;
  std::string metric = "val_accuracy";
  std::string robustness;
  std::string study;
  std::string out;
  std::string shard;
  std::vector<std::string> collect;

  /// Adds both subcommands to `app`; `add_common` adds the options every subcommand shares
  /// (--threads).
  void add_to(CLI::App& app, const std::function<void(CLI::App*)>& add_common);
  /// Whether the command line chose sweep or compare.
  bool chosen() const { return *sweep || *compare; }
  /// Runs the chosen subcommand; returns its exit status (0, or study_status() of the points).
  /// Bad arguments throw ConfigError.
  int run() const;
};

}  // namespace dither
