// What the speech hooks add to a spoken-digits CNN training step (examples/configs/
// spoken_digits_cnn.json, log-mel inputs precomputed by the dataset): the step with no hook,
// with each speech hook alone and with all of them, in alternating rounds on the same machine
// so that drift and other load hit every variant alike. Also times the log-mel front end on a
// whole batch, what computing the features at every step instead of once would cost. Prints
// per-step medians, their ratio to the run without hooks and the median of per-round ratios.
//
//   build/bench/speech_hooks [rounds=7] [steps=10] ['{"type": "spec_augment"}' ...]

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/audio/audio_source.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "step_variants.h"

#ifndef DITHER_SOURCE_DIR
#define DITHER_SOURCE_DIR "."
#endif

namespace {

using dither::bench::median;
using nlohmann::json;

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

  std::vector<dither::bench::StepVariant> variants;
  auto add = [&](std::string name, const json& noise) {
    json config = base;
    config["noise"] = noise;
    variants.push_back(dither::bench::make_variant(std::move(name), config, batch_size));
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

  std::vector<double> front_end;
  const dither::AudioSource& audio = *variants.front().experiment->audio;
  dither::bench::time_rounds(variants, rounds, steps, [&](int r) {
    std::vector<std::int64_t> indices(static_cast<std::size_t>(batch_size));
    for (std::int64_t i = 0; i < batch_size; ++i) indices[static_cast<std::size_t>(i)] = i + r;
    const dither::Batch waves = audio.raw(indices);
    const auto start = std::chrono::steady_clock::now();
    const dither::Tensor f =
        dither::log_mel_features(audio.front_end(), waves.inputs, waves.lengths, audio.frames());
    front_end.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  });

  std::printf("spoken_digits CNN, %d threads, BLAS kernel %s, %d rounds of %d steps (batch %lld)\n",
              dither::num_threads(), dither::blas_core_name().c_str(), rounds, steps,
              static_cast<long long>(batch_size));
  dither::bench::print_step_table(variants, "hooks", 64);
  const double base_step = median(variants.front().step_seconds);
  std::printf("log-mel front end on one whole batch: %.2f ms (%.1f%% of a step without hooks)\n",
              1e3 * median(front_end), 100.0 * median(front_end) / base_step);
  return 0;
}
