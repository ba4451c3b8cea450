// What each noise hook or noise layer adds to a training step: the Fashion-MNIST MLP or the
// benchmark CNN trained with no hook and with each hook alone, in alternating rounds on the same
// machine, so drift and other load hit every variant alike. Prints per-step medians, their ratio
// to the run without hooks, the median of the per-round ratios (a slow spell slows both sides of
// a round's pair), and the BLAS kernel that ran.
//
//   build/bench/hook_overhead mlp [rounds=7] [steps=60] ['{"type": "cutout"}' ...]
//   build/bench/hook_overhead cnn 9 10 '{"type": "weight_noise"}'
//       '{"layer": {"type": "drop_block", "p": 0.1, "block_size": 3}, "at": 5}'  (one line)
//
// A spec {"layer": ..., "at": k} measures the model with that layer inserted before layer k
// (the CNN's layer 5 is its second max-pool) and no hook; a spec {"optimizer": ...} measures
// the model trained with that optimiser instead of SGD with momentum (SAM:
// '{"optimizer": {"type": "sam", "base": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}}').
// Without specs it measures every registered input-space hook at its defaults.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/registry.h"
#include "bench_models.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "train/data/loader.h"
#include "train/experiment.h"

namespace {

using dither::Batch;

struct Variant {
  std::string name;
  std::unique_ptr<dither::Experiment> experiment;  // the loader points into its data
  std::unique_ptr<dither::Trainer> trainer;
  std::unique_ptr<dither::BatchLoader> loader;
  std::int64_t next = 0;
  std::vector<double> step_seconds;  // one median-of-round entry per round
};

// The hooks that act on the inputs or targets of the batch, at their defaults, where registered.
std::vector<nlohmann::json> default_hooks() {
  std::vector<nlohmann::json> out;
  const auto types = dither::HookRegistry::instance().types();
  for (const char* type : {"gaussian", "uniform", "salt_pepper", "speckle", "cutout",
                           "random_erasing", "mixup", "cutmix", "label_smoothing", "label_noise"}) {
    if (std::find(types.begin(), types.end(), type) != types.end()) out.push_back({{"type", type}});
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "mlp";
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 7;
  const int steps = argc > 3 ? std::stoi(argv[3]) : (model == "mlp" ? 60 : 8);
  std::vector<nlohmann::json> hooks;
  for (int i = 4; i < argc; ++i) hooks.push_back(nlohmann::json::parse(argv[i]));
  if (hooks.empty()) hooks = default_hooks();

  std::vector<Variant> variants;
  auto add = [&](std::string name, const nlohmann::json& noise, const nlohmann::json& layer,
                 const nlohmann::json& optimizer = nlohmann::json()) {
    Variant v;
    v.name = std::move(name);
    nlohmann::json config = dither::bench::fashion_config(model, noise);
    if (!optimizer.is_null()) config["optimizer"] = optimizer;
    if (!layer.is_null()) {
      nlohmann::json& layers = config["model"]["layers"];
      layers.insert(layers.begin() + layer.at("at").get<std::ptrdiff_t>(), layer.at("layer"));
    }
    v.experiment = std::make_unique<dither::Experiment>(dither::build_experiment(config));
    dither::Experiment& e = *v.experiment;
    v.trainer = std::make_unique<dither::Trainer>(*e.model, *e.loss, *e.optimizer, e.schedule.get(),
                                                  std::move(e.hooks), e.input, e.settings, e.seed);
    v.loader = std::make_unique<dither::BatchLoader>(
        e.data.train, dither::LoaderOptions{.batch_size = 128, .drop_last = true}, e.seed);
    variants.push_back(std::move(v));
  };
  add("none", nlohmann::json::array(), nlohmann::json());
  for (const auto& spec : hooks) {
    if (spec.contains("layer")) {
      add(spec.dump(), nlohmann::json::array(), spec);
    } else if (spec.contains("optimizer")) {
      add(spec.dump(), nlohmann::json::array(), nlohmann::json(), spec.at("optimizer"));
    } else {
      add(spec.dump(), nlohmann::json::array({spec}), nlohmann::json());
    }
  }

  auto run = [](Variant& v, int count) {
    const std::int64_t per_epoch = v.loader->num_batches();
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < count; ++s, ++v.next) {
      Batch batch = v.loader->batch(v.next / per_epoch, v.next % per_epoch);
      v.trainer->train_step(std::move(batch), v.next / per_epoch, v.next % per_epoch, per_epoch);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / count;
  };
  for (auto& v : variants) run(v, std::max(2, steps / 4));  // warm-up: buffers, page faults
  for (int r = 0; r < rounds; ++r) {
    for (auto& v : variants) v.step_seconds.push_back(run(v, steps));
  }

  std::printf("model %s, %d threads, BLAS kernel %s, %d rounds of %d steps (batch 128)\n",
              model.c_str(), dither::num_threads(), dither::blas_core_name().c_str(), rounds,
              steps);
  const std::vector<double>& base_rounds = variants.front().step_seconds;
  const double base = median(base_rounds);
  std::printf("%-48s %12s %8s %12s\n", "hook", "ms/step", "ratio", "round ratio");
  for (const auto& v : variants) {
    const double m = median(v.step_seconds);
    std::vector<double> ratios;
    for (std::size_t r = 0; r < v.step_seconds.size(); ++r) {
      ratios.push_back(v.step_seconds[r] / base_rounds[r]);
    }
    std::printf("%-48s %12.3f %8.3f %12.3f\n", v.name.substr(0, 48).c_str(), 1e3 * m, m / base,
                median(ratios));
  }
  return 0;
}
