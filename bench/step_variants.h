#pragma once

// Training steps of several configs timed in alternating rounds on the same machine, so drift and
// other load hit every variant alike (bench/hook_overhead.cpp, bench/speech_hooks.cpp).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/data/loader.h"
#include "train/experiment.h"

namespace dither::bench {

/// One config under test: its experiment, a trainer on it and a loader over its training set.
struct StepVariant {
  std::string name;
  std::unique_ptr<Experiment> experiment;  // the loader points into its data
  std::unique_ptr<Trainer> trainer;
  std::unique_ptr<BatchLoader> loader;
  std::int64_t next = 0;             ///< the next step to run, counted across rounds
  std::vector<double> step_seconds;  ///< one entry per round: seconds per step
};

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

/// A variant training `config` in batches of `batch_size` (the last short batch dropped).
inline StepVariant make_variant(std::string name, const nlohmann::json& config,
                                std::int64_t batch_size) {
  StepVariant v;
  v.name = std::move(name);
  v.experiment = std::make_unique<Experiment>(build_experiment(config));
  Experiment& e = *v.experiment;
  v.trainer = std::make_unique<Trainer>(*e.model, *e.loss, *e.optimizer, e.schedule.get(),
                                        std::move(e.hooks), e.input, e.settings, e.seed);
  v.loader = std::make_unique<BatchLoader>(
      e.data.train, LoaderOptions{.batch_size = batch_size, .drop_last = true}, e.seed);
  return v;
}

/// Seconds per step of the variant's next `count` training steps.
inline double run_steps(StepVariant& v, int count) {
  const std::int64_t per_epoch = v.loader->num_batches();
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < count; ++s, ++v.next) {
    Batch batch = v.loader->batch(v.next / per_epoch, v.next % per_epoch);
    v.trainer->train_step(std::move(batch), v.next / per_epoch, v.next % per_epoch, per_epoch);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / count;
}

/// A warm-up (buffers, page faults), then `rounds` rounds of `steps` steps of every variant.
inline void time_rounds(std::vector<StepVariant>& variants, int rounds, int steps,
                        const std::function<void(int round)>& after_round = {}) {
  for (auto& v : variants) run_steps(v, std::max(2, steps / 4));
  for (int r = 0; r < rounds; ++r) {
    for (auto& v : variants) v.step_seconds.push_back(run_steps(v, steps));
    if (after_round) after_round(r);
  }
}

/// A table row per variant: ms per step (median over rounds), its ratio to the first variant's
/// median, and the median of the per-round ratios (a slow spell slows both sides of a round).
inline void print_step_table(const std::vector<StepVariant>& variants, const char* first_column,
                             int width) {
  std::printf("%-*s %10s %8s %12s\n", width, first_column, "ms/step", "ratio", "round ratio");
  const std::vector<double>& base_rounds = variants.front().step_seconds;
  const double base = median(base_rounds);
  for (const auto& v : variants) {
    const double m = median(v.step_seconds);
    std::vector<double> ratios;
    for (std::size_t r = 0; r < v.step_seconds.size(); ++r) {
      ratios.push_back(v.step_seconds[r] / base_rounds[r]);
    }
    std::printf("%-*s %10.3f %8.3f %12.3f\n", width,
                v.name.substr(0, static_cast<std::size_t>(width)).c_str(), 1e3 * m, m / base,
                median(ratios));
  }
}

}  // namespace dither::bench
