#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"
#include "layers/module.h"
#include "train/data/dataset.h"
#include "train/metrics.h"

namespace dither {

/// What a predictor (one pass, T Monte Carlo passes, an ensemble) says about each sample of a
/// set: the predictive distribution and the mean entropy of the passes it averages.
struct Predictions {
  /// [N, K]: logits, or the log of averaged probabilities; softmax(scores) is the prediction.
  Tensor scores;
  std::vector<double> probabilities;     ///< [N * K] softmax(scores) in double, rows sum to 1
  std::vector<double> expected_entropy;  ///< [N] E_t H[p_t]: the row's own entropy for one pass
  std::vector<std::int32_t> labels;      ///< [N] the set's class ids

  std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
  std::int64_t classes() const { return scores.size(1); }
  /// Top probability of sample i.
  double max_probability(std::int64_t i) const;
  /// Predictive entropy H[E p] of sample i, in nats (0 log 0 = 0).
  double entropy(std::int64_t i) const;
  /// Mutual information (BALD) H[E p] - E H[p] of sample i, >= 0; 0 for a single pass and
  /// below 1e-12 nats (rounding, not disagreement).
  double mutual_information(std::int64_t i) const;
  /// Whether the top class of sample i is its label.
  bool correct(std::int64_t i) const;
};

/// One deterministic pass over `data` in eval mode, as evaluate() makes it (noise clock (seed,
/// batch b, kEvalPass), no gradient, modes restored): the logits [N, K] in the set's order.
/// Throws DivergenceError when an output is NaN or Inf.
Tensor set_logits(Module& model, const Dataset& data, std::uint64_t seed,
                  std::int64_t batch_size = 256);

/// The predictions of softmax(logits / temperature); `labels` are the set's (data.labels).
Predictions from_logits(const Tensor& logits, std::vector<std::int32_t> labels,
                        double temperature = 1.0);

/// Monte Carlo sampling over `data` (mc_predict, `samples` passes with the noise layers on): the
/// mean probabilities, their entropy and the passes' mean entropy.
Predictions mc_predictions(Module& model, const Dataset& data, std::int64_t samples,
                           std::uint64_t seed, std::int64_t batch_size = 256);

/// The average of several predictors' probabilities on the same set (a deep ensemble); the
/// expected entropy averages theirs, so the mutual information measures their disagreement
/// as well as each one's own. Throws Error unless all have the same size, classes and labels.
Predictions average(std::span<const Predictions> members);

/// Accuracy, NLL, ECE, Brier and the calibration bins of the predictions (MetricAccumulator).
Evaluation evaluation_of(const Predictions& predictions);

}  // namespace dither
