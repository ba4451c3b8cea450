#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/input_info.h"
#include "layers/module.h"
#include "train/corruptions/tabular.h"
#include "train/data/dataset.h"
#include "train/evaluate.h"
#include "train/metrics.h"
#include "train/robustness_summary.h"

namespace dither {

/// One attack of a suite, measured at each of its eps: {"type": "fgsm" | "pgd", "eps": [...],
/// plus any attack key of augment/attack.h (steps, alpha, restarts, random_start, norm,
/// eot_samples, attack_mode)}. Defaults: fgsm one step of eps; pgd 20 steps of 2.5 eps / steps
/// from a random start, one restart, the model in eval mode (Madry's evaluation). Its rows are
/// named by the type, "eot_pgd" (or "eot_fgsm") when eot_samples > 1.
struct SuiteAttack {
  std::string type;
  std::vector<double> eps;
  nlohmann::json spec;  ///< the entry as written, read again for each eps
};

/// One corruption of a suite (train/corruptions/catalog.h), measured at each of its
/// severities: {"type": "gaussian_noise", "severities": [1, 2, 3, 4, 5]}, and for
/// missing_features "fill": "training" (the fill of the run's feature_mask hook, else the
/// training mean) | "zero" | "mean" | "marginal".
struct SuiteCorruption {
  std::string type;
  std::vector<int> severities;
  std::string fill = "training";
};

/// What `dither eval RUN --robustness SUITE.json` measures on the test split:
/// {"description": "...", "limit": 0, "seed": 0, "baseline": "", "attacks": [...],
/// "corruptions": [...]}, at least one attack or corruption. limit > 0 evaluates the first
/// `limit` test samples only (attacks cost steps + 1 passes each). The corrupted test set is a
/// function of (seed, corruption, sample index) alone, the same for every model and batch size,
/// so runs compare on the same images. "baseline" names the run mCE is relative to (the
/// command line's --baseline wins).
struct RobustnessSuite {
  std::string description;
  std::int64_t limit = 0;
  std::uint64_t seed = 0;
  std::string baseline;
  std::vector<SuiteAttack> attacks;
  std::vector<SuiteCorruption> corruptions;
  std::string origin;  ///< the file it was read from, "" for none: prefixes later errors

  /// Throws ConfigError naming the JSON path (`attacks[1].eps[2]: ...`).
  static RobustnessSuite from_json(const nlohmann::json& j, const std::string& path);
  /// Reads and validates a suite file; errors name the file.
  static RobustnessSuite load(const std::filesystem::path& file);
  /// Throws ConfigError naming the corruption's path when it does not apply to `input`'s kind
  /// (an image corruption on tabular rows...).
  void check_inputs(const InputInfo& input) const;
  /// Whether a corruption needs the training set's feature statistics.
  bool needs_feature_stats() const;
  /// missing_features' fill ("training" when none is listed); one per suite, checked on load.
  std::string fill() const;
};

struct RobustnessReport {
  std::vector<RobustnessRow> rows;
  std::vector<RobustnessRow> baseline_rows;  ///< the baseline's clean and corruption rows
  CorruptionSummary summary;
  std::vector<std::string> warnings;
  nlohmann::json to_json() const;
  std::string to_csv() const;
  /// A fixed-width table for the terminal.
  std::string to_table() const;
};

/// Every condition of `suite` on `test`, each through evaluate() with `base`'s options and the
/// attack or corruption as its transform; the attacks' random starts are named by (base.seed,
/// attack, eps, batch), the corruptions' draws by (suite.seed, corruption, sample index), so a
/// report is reproducible. `features` (training statistics) is needed by tabular corruptions.
/// The summary has no baseline (see compare_to_baseline).
RobustnessReport measure_robustness(Module& model, const Dataset& test, const InputInfo& input,
                                    const RobustnessSuite& suite, const EvalOptions& base,
                                    const FeatureStats* features = nullptr);

struct Experiment;

/// The training statistics the suite's tabular corruptions use, from e's training split, with
/// missing_features' fill ("training": the fill of e's feature_mask hook, else the mean).
/// Empty when the suite has no tabular corruption.
FeatureStats training_feature_stats(const Experiment& e, const RobustnessSuite& suite);

/// Adds `baseline` (the same suite measured on the baseline model, named `name`) to `report`:
/// its rows and the summary's mCE.
void compare_to_baseline(RobustnessReport& report, const RobustnessReport& baseline,
                         const std::string& name);

/// The warnings a report deserves: FGSM accuracy far above PGD's at the same eps, or accuracy
/// rising with eps under one attack, both signs of gradient masking or catastrophic overfitting.
std::vector<std::string> robustness_warnings(const std::vector<RobustnessRow>& rows);

/// robustness.csv, robustness.json, robustness.png (accuracy against eps per attack, when there
/// are attacks), corruptions.png (accuracy against severity per corruption, the baseline's
/// too) and reliability.png (the clean test set's calibration) in `dir`. Returns why a plot was
/// not drawn, or "".
std::string write_robustness(const RobustnessReport& report, const nlohmann::json& header,
                             const std::filesystem::path& dir);

}  // namespace dither
