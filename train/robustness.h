#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/input_info.h"
#include "layers/module.h"
#include "train/data/dataset.h"
#include "train/evaluate.h"
#include "train/metrics.h"

namespace dither {

/// One attack of a suite, measured at each of its eps: {"type": "fgsm" | "pgd", "eps": [...],
/// plus any attack key of augment/attack.h (steps, alpha, restarts, random_start, norm,
/// eot_samples, attack_mode)}. Defaults: fgsm one step of eps; pgd 20 steps of 2.5 eps / steps
/// from a random start, one restart, the model in eval mode (Madry's evaluation).
struct SuiteAttack {
  std::string type;
  std::vector<double> eps;
  nlohmann::json spec;  ///< the entry as written, read again for each eps
};

/// What `dither eval RUN --robustness SUITE.json` measures on the test split:
/// {"description": "...", "limit": 0, "attacks": [...]}. limit > 0 evaluates the first `limit`
/// test samples only (attacks cost steps + 1 passes each).
struct RobustnessSuite {
  std::string description;
  std::int64_t limit = 0;
  std::vector<SuiteAttack> attacks;

  /// Throws ConfigError naming the JSON path (`attacks[1].eps[2]: ...`).
  static RobustnessSuite from_json(const nlohmann::json& j, const std::string& path);
  /// Reads and validates a suite file; errors name the file.
  static RobustnessSuite load(const std::filesystem::path& file);
};

/// One measured condition: the clean test set, or one attack at one eps.
struct RobustnessRow {
  std::string kind;  ///< "clean" or "attack"
  std::string name;  ///< "clean", "fgsm", "pgd"
  double strength = 0.0;
  Evaluation result;
};

struct RobustnessReport {
  std::vector<RobustnessRow> rows;
  std::vector<std::string> warnings;
  nlohmann::json to_json() const;
  std::string to_csv() const;
  /// A fixed-width table for the terminal.
  std::string to_table() const;
};

/// Every condition of `suite` on `test`, each through evaluate() with `base`'s options and the
/// attack as its transform; the attacks' random starts are named by (base.seed, attack, eps,
/// batch), so a report is reproducible.
RobustnessReport measure_robustness(Module& model, const Dataset& test, const InputInfo& input,
                                    const RobustnessSuite& suite, const EvalOptions& base);

/// The warnings a report deserves: FGSM accuracy far above PGD's at the same eps, or accuracy
/// rising with eps under one attack, both signs of gradient masking or catastrophic overfitting.
std::vector<std::string> robustness_warnings(const std::vector<RobustnessRow>& rows);

/// robustness.csv, robustness.json and robustness.png (accuracy against eps per attack) in
/// `dir`. Returns why the plot was not drawn, or "".
std::string write_robustness(const RobustnessReport& report, const nlohmann::json& header,
                             const std::filesystem::path& dir);

}  // namespace dither
