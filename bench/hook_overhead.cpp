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
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/registry.h"
#include "bench_models.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "step_variants.h"

namespace {

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

}  // namespace

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "mlp";
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 7;
  const int steps = argc > 3 ? std::stoi(argv[3]) : (model == "mlp" ? 60 : 8);
  std::vector<nlohmann::json> hooks;
  for (int i = 4; i < argc; ++i) hooks.push_back(nlohmann::json::parse(argv[i]));
  if (hooks.empty()) hooks = default_hooks();

  std::vector<dither::bench::StepVariant> variants;
  auto add = [&](std::string name, const nlohmann::json& noise, const nlohmann::json& layer,
                 const nlohmann::json& optimizer = nlohmann::json()) {
    nlohmann::json config = dither::bench::fashion_config(model, noise);
    if (!optimizer.is_null()) config["optimizer"] = optimizer;
    if (!layer.is_null()) {
      nlohmann::json& layers = config["model"]["layers"];
      layers.insert(layers.begin() + layer.at("at").get<std::ptrdiff_t>(), layer.at("layer"));
    }
    variants.push_back(dither::bench::make_variant(std::move(name), config, 128));
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
  dither::bench::time_rounds(variants, rounds, steps);

  std::printf("model %s, %d threads, BLAS kernel %s, %d rounds of %d steps (batch 128)\n",
              model.c_str(), dither::num_threads(), dither::blas_core_name().c_str(), rounds,
              steps);
  dither::bench::print_step_table(variants, "hook", 48);
  return 0;
}
