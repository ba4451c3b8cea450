#pragma once

#include <array>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "train/metrics.h"
#include "train/predictions.h"

namespace dither {

/// The per-sample scores a detector ranks by, higher meaning more uncertain: 1 - the top
/// probability, the predictive entropy and the mutual information, in that order.
inline constexpr std::array<const char*, 3> kUncertaintyScores{"max_probability", "entropy",
                                                               "mutual_information"};

/// Positions in kUncertaintyScores (and in ScoreValues).
enum UncertaintyScore : std::size_t {
  kOneMinusMaxProbability = 0,
  kEntropy = 1,
  kMutualInformation = 2
};

/// Score `which` (an index into kUncertaintyScores) of every sample, in the set's order.
std::vector<double> uncertainty_scores(const Predictions& predictions, std::size_t which);

/// One value per score of kUncertaintyScores; NaN where it means nothing (the mutual
/// information of a single pass, the AUROC of a set with one outcome only).
using ScoreValues = std::array<double, 3>;

/// How one predictor did on the test set and, when given, at telling an OOD set from it.
struct UncertaintyRow {
  std::string name;
  bool several_passes = false;  ///< averages MC passes or members: the mutual information counts
  Evaluation test;              ///< accuracy, NLL, ECE, Brier and calibration bins
  double mean_entropy = 0.0;
  double mean_mutual_information = 0.0;  ///< NaN for a single pass
  /// AUROC of flagging the misclassified test samples (positives) by each score.
  ScoreValues misclassification_auroc{};
  bool has_ood = false;
  ScoreValues ood_auroc{};  ///< AUROC of flagging OOD samples (positives) against test samples
  ScoreValues ood_fpr95{};  ///< fraction of test samples flagged when 95% of OOD ones are
};

/// The row of a predictor from its test predictions and, when `ood` is not null, its
/// predictions on the OOD set (OOD inputs are the positives, as in Hendrycks et al. 2019).
UncertaintyRow uncertainty_row(std::string name, const Predictions& test, bool several_passes,
                               const Predictions* ood = nullptr);

/// The row for eval.json: metrics, mean entropy and mutual information, AUROCs (null for NaN).
nlohmann::json to_json(const UncertaintyRow& row);

/// The rows as aligned text tables: calibration and misclassification detection, then OOD
/// detection when the rows have it.
std::string uncertainty_table(const std::vector<UncertaintyRow>& rows);

}  // namespace dither
