#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// One equal-width confidence bin [k / bins, (k + 1) / bins) of the predictions' top
/// probability: how many fell in it, their mean confidence and their accuracy (0 when empty).
struct CalibrationBin {
  std::int64_t count = 0;
  double confidence = 0.0;
  double accuracy = 0.0;
};

/// Classification quality over a whole set.
struct Evaluation {
  std::int64_t count = 0;
  double loss = 0.0;      ///< mean cross-entropy of the true class (the NLL of the predictions)
  double accuracy = 0.0;  ///< fraction of top-1 predictions that are right
  double ece = 0.0;       ///< expected calibration error, 15 equal-width confidence bins
  double brier = 0.0;     ///< mean over samples of sum_k (p_k - y_k)^2, in [0, 2]
  /// Recall of each class; NaN for a class with no samples in the set (null in JSON, "no
  /// samples" for a person), never a 0% it did not earn.
  std::vector<double> per_class_accuracy;
  std::vector<std::vector<std::int64_t>> confusion;  ///< [true class][predicted class]
  std::vector<CalibrationBin> calibration;           ///< the ECE's bins: a reliability diagram
  nlohmann::json to_json() const;
};

/// Accumulates logits batch by batch; the result does not depend on how the set was batched.
class MetricAccumulator {
 public:
  explicit MetricAccumulator(std::int64_t num_classes, int bins = 15);
  /// logits [B, K], targets [B] holding class ids. Throws DivergenceError when a logit is NaN
  /// or Inf: no metric of such outputs means anything.
  void add(const Tensor& logits, const Tensor& targets);
  Evaluation result() const;

 private:
  std::int64_t classes_;
  std::int64_t count_ = 0;
  double nll_sum_ = 0.0;
  double brier_sum_ = 0.0;
  std::int64_t correct_ = 0;
  std::vector<std::int64_t> bin_count_;
  std::vector<double> bin_confidence_;
  std::vector<std::int64_t> bin_correct_;
  std::vector<std::vector<std::int64_t>> confusion_;
};

}  // namespace dither
