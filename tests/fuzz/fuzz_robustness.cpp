// Robustness suites (`dither eval RUN --robustness SUITE.json`): the bytes as a suite file, read
// and validated as eval reads it, then, when it loads, measured on three small untrained models
// (moons points, 28x28 images, loans rows) wherever its corruptions fit the inputs. Suites whose
// attacks ask for more than 200 passes in all (eps x steps x restarts x EOT samples, as written)
// are skipped by the harness, so that one execution stays small; the test sets hold 6 samples.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/data/idx.h"
#include "train/experiment.h"
#include "train/robustness.h"

namespace {

// A tiny MNIST folder of random-looking images under /dev/shm, for the image model.
std::string image_folder() {
  const std::string dir = dither::fuzz::scratch_file("mnist", "") + "-dir";
  std::filesystem::create_directories(dir);
  for (const std::string split : {"train", "t10k"}) {
    dither::IdxArray images{{6, 28, 28}, {}};
    for (int i = 0; i < 6 * 28 * 28; ++i) images.data.push_back(static_cast<std::uint8_t>(i * 37));
    dither::write_idx(dir + "/" + split + "-images-idx3-ubyte", images, false);
    dither::write_idx(dir + "/" + split + "-labels-idx1-ubyte", {{6}, {0, 1, 2, 0, 1, 2}}, false);
  }
  return dir;
}

std::vector<dither::Experiment> experiments() {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3, "train": {"epochs": 1, "batch_size": 4},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 8}, {"type": "relu"},
                         {"type": "linear", "out": 2}]}})");
  const nlohmann::json data = {{{"name", "moons"}, {"train_size", 20}, {"test_size", 6}},
                               {{"name", "mnist"}, {"path", image_folder()}},
                               {{"name", "loans"}, {"train_size", 20}, {"test_size", 6}}};
  std::vector<dither::Experiment> built;
  for (const nlohmann::json& d : data) {
    config["data"] = d;
    config["model"]["layers"][3]["out"] = d["name"] == "mnist" ? 10 : 2;
    built.push_back(dither::build_experiment(config));
  }
  return built;
}

// Whether the suite's attacks stay within the harness's budget of passes per sample.
bool small_attacks(const dither::RobustnessSuite& suite) {
  double passes = 0;
  for (const dither::SuiteAttack& a : suite.attacks) {
    double per_eps = 1;
    for (const char* key : {"steps", "restarts", "eot_samples"}) {
      if (a.spec.contains(key) && a.spec[key].is_number()) per_eps *= a.spec[key].get<double>();
    }
    passes += per_eps * static_cast<double>(a.eps.size());
  }
  return passes <= 200;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::vector<dither::Experiment> models = experiments();
  const std::string path =
      dither::fuzz::scratch_file("suite.json", dither::fuzz::bytes(data, size));
  dither::RobustnessSuite suite;
  try {
    suite = dither::RobustnessSuite::load(path);
  } catch (const dither::ConfigError&) {
    return 0;
  }
  if (!small_attacks(suite)) return 0;
  for (dither::Experiment& e : models) {
    try {
      suite.check_inputs(e.input);
    } catch (const dither::ConfigError&) {
      continue;
    }
    const dither::FeatureStats features = dither::training_feature_stats(e, suite);
    dither::EvalOptions options;
    options.batch_size = 4;
    const dither::RobustnessReport report =
        dither::measure_robustness(*e.model, e.data.test, e.input, suite, options, &features);
    (void)report.to_json();
    (void)report.to_csv();
  }
  return 0;
}
