// What the speech hooks add to a spoken-digits CNN training step (examples/configs/
// spoken_digits_cnn.json, log-mel inputs precomputed by the dataset): the step with no hook,
// with each speech hook alone and with all of them, in alternating rounds on the same machine
// so that drift and other load hit every variant alike. Also times the log-mel front end on a
// whole batch, what computing the features at every step instead of once would cost. Prints
// per-step medians, their ratio to the run without hooks and the median of per-round ratios.
//
//   build/bench/speech_hooks [rounds=7] [steps=10] ['{"type": "spec_augment"}' ...]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/audio/audio_source.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "train/data/loader.h"
#include "train/experiment.h"

#ifndef DITHER_SOURCE_DIR
#define DITHER_SOURCE_DIR "."
#endif

namespace {

using dither::Batch;
using nlohmann::json;

struct Variant {
  std::string name;
  std::unique_ptr<dither::Experiment> experiment;
  std::unique_ptr<dither::Trainer> trainer;
  std::unique_ptr<dither::BatchLoader> loader;
  std::int64_t next = 0;
  std::vector<double> step_seconds;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::stoi(argv[1]) : 7;
  const int steps = argc > 2 ? std::stoi(argv[2]) : 10;
  std::vector<json> hooks;
  for (int i = 3; i < argc; ++i) hooks.push_back(json::parse(argv[i]));
  if (hooks.empty()) {
    hooks = {{{"type", "spec_augment"}, {"freq_width", 8}, {"time_width", 20}, {"time_warp", 5}},
             {{"type", "background_noise"}},
             {{"type", "background_noise"}, {"source", "babble"}},
             {{"type", "speed_perturb"}}};
  }
  const json base =
      dither::read_config(DITHER_SOURCE_DIR "/examples/configs/spoken_digits_cnn.json");
  const std::int64_t batch_size = base["train"]["batch_size"].get<std::int64_t>();

  std::vector<Variant> variants;
  auto add = [&](std::string name, const json& noise) {
    Variant v;
    v.name = std::move(name);
    json config = base;
    config["noise"] = noise;
    v.experiment = std::make_unique<dither::Experiment>(dither::build_experiment(config));
    dither::Experiment& e = *v.experiment;
    v.trainer = std::make_unique<dither::Trainer>(*e.model, *e.loss, *e.optimizer, e.schedule.get(),
                                                  std::move(e.hooks), e.input, e.settings, e.seed);
    v.loader = std::make_unique<dither::BatchLoader>(
        e.data.train, dither::LoaderOptions{.batch_size = batch_size, .drop_last = true}, e.seed);
    variants.push_back(std::move(v));
  };
  add("none", json::array());
  json all = json::array();
  for (const auto& spec : hooks) {
    add(spec.dump(), json::array({spec}));
    // Waveform hooks first: spec_augment masks the features they leave.
    if (spec["type"] != "spec_augment") all.push_back(spec);
  }
  for (const auto& spec : hooks) {
    if (spec["type"] == "spec_augment") all.push_back(spec);
  }
  if (hooks.size() > 1) add("all of the above", all);

  auto run = [](Variant& v, int count) {
    const std::int64_t per_epoch = v.loader->num_batches();
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < count; ++s, ++v.next) {
      Batch batch = v.loader->batch(v.next / per_epoch, v.next % per_epoch);
      v.trainer->train_step(std::move(batch), v.next / per_epoch, v.next % per_epoch, per_epoch);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / count;
  };
  for (auto& v : variants) run(v, std::max(2, steps / 4));
  std::vector<double> front_end;
  const dither::AudioSource& audio = *variants.front().experiment->audio;
  for (int r = 0; r < rounds; ++r) {
    for (auto& v : variants) v.step_seconds.push_back(run(v, steps));
    std::vector<std::int64_t> indices(static_cast<std::size_t>(batch_size));
    for (std::int64_t i = 0; i < batch_size; ++i) indices[static_cast<std::size_t>(i)] = i + r;
    const Batch waves = audio.raw(indices);
    const auto start = std::chrono::steady_clock::now();
    const dither::Tensor f =
        dither::log_mel_features(audio.front_end(), waves.inputs, waves.lengths, audio.frames());
    front_end.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  std::printf("spoken_digits CNN, %d threads, BLAS kernel %s, %d rounds of %d steps (batch %lld)\n",
              dither::num_threads(), dither::blas_core_name().c_str(), rounds, steps,
              static_cast<long long>(batch_size));
  const std::vector<double>& base_rounds = variants.front().step_seconds;
  const double base_step = median(base_rounds);
  std::printf("%-64s %10s %8s %12s\n", "hooks", "ms/step", "ratio", "round ratio");
  for (const auto& v : variants) {
    const double m = median(v.step_seconds);
    std::vector<double> ratios;
    for (std::size_t r = 0; r < v.step_seconds.size(); ++r)
      ratios.push_back(v.step_seconds[r] / base_rounds[r]);
    std::printf("%-64s %10.2f %8.3f %12.3f\n", v.name.substr(0, 64).c_str(), 1e3 * m, m / base_step,
                median(ratios));
  }
  std::printf("log-mel front end on one whole batch: %.2f ms (%.1f%% of a step without hooks)\n",
              1e3 * median(front_end), 100.0 * median(front_end) / base_step);
  return 0;
}
