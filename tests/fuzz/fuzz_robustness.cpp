// Robustness suites (`dither eval RUN --robustness SUITE.json`): the bytes as a suite file, read
// and validated as eval reads it, then, when it loads, measured on three small untrained models
// (moons points, 28x28 images, loans rows) wherever its corruptions fit the inputs. Suites whose
// attacks ask for more than 200 passes in all (eps x steps x restarts x EOT samples, as written)
// are skipped by the harness, so that one execution stays small; the test sets hold 6 samples.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_models.h"
#include "fuzz_support.h"
#include "train/robustness.h"

namespace {

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
  static std::vector<dither::Experiment> models = dither::fuzz::tiny_experiments();
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
