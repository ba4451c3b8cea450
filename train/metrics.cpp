#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/finite.h"

namespace dither {

MetricAccumulator::MetricAccumulator(std::int64_t num_classes, int bins)
    : classes_(num_classes),
      bin_count_(static_cast<std::size_t>(bins)),
      bin_confidence_(static_cast<std::size_t>(bins)),
      bin_correct_(static_cast<std::size_t>(bins)),
      confusion_(static_cast<std::size_t>(num_classes),
                 std::vector<std::int64_t>(static_cast<std::size_t>(num_classes))) {
  check(num_classes >= 1 && bins >= 1, "MetricAccumulator: need >= 1 class and >= 1 bin");
}

void MetricAccumulator::add(const Tensor& logits, const Tensor& targets) {
  check_shape(logits.dim() == 2 && logits.size(1) == classes_ && targets.dim() == 1 &&
                  targets.size(0) == logits.size(0),
              "metrics: logits ", logits.shape(), " and targets ", targets.shape(), " do not fit ",
              classes_, " classes");
  const std::int64_t rows = logits.size(0);
  const float* pl = logits.ptr();
  const float* pt = targets.ptr();
  const auto bins = static_cast<std::int64_t>(bin_count_.size());
  if (const float* bad = first_non_finite(logits)) {
    throw DivergenceError(str("the model's outputs hold ", *bad, " (sample ",
                              count_ + (bad - pl) / classes_ + 1, " of the set)"));
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = pl + r * classes_;
    check(pt[r] >= 0.0f && pt[r] < static_cast<float>(classes_), "metrics: target ", pt[r],
          " is not a class in [0, ", classes_, ")");
    const auto label = static_cast<std::int64_t>(pt[r]);
    const std::int64_t predicted = std::max_element(row, row + classes_) - row;
    double norm = 0.0;
    for (std::int64_t k = 0; k < classes_; ++k)
      norm += std::exp(static_cast<double>(row[k] - row[predicted]));
    const double log_norm = std::log(norm) + row[predicted];
    const double confidence = 1.0 / norm;
    nll_sum_ += log_norm - row[label];
    double squares = 0.0;  // Brier: sum_k (p_k - y_k)^2 = sum_k p_k^2 - 2 p_label + 1
    for (std::int64_t k = 0; k < classes_; ++k) {
      const double p = std::exp(static_cast<double>(row[k]) - log_norm);
      squares += p * p;
    }
    brier_sum_ += squares - 2.0 * std::exp(static_cast<double>(row[label]) - log_norm) + 1.0;
    const bool right = predicted == label;
    correct_ += right;
    const auto bin =
        std::min(bins - 1, static_cast<std::int64_t>(confidence * static_cast<double>(bins)));
    bin_count_[static_cast<std::size_t>(bin)] += 1;
    bin_confidence_[static_cast<std::size_t>(bin)] += confidence;
    bin_correct_[static_cast<std::size_t>(bin)] += right;
    confusion_[static_cast<std::size_t>(label)][static_cast<std::size_t>(predicted)] += 1;
  }
  count_ += rows;
}

Evaluation MetricAccumulator::result() const {
  Evaluation e;
  e.count = count_;
  e.confusion = confusion_;
  if (count_ == 0) return e;
  const auto n = static_cast<double>(count_);
  e.loss = nll_sum_ / n;
  e.brier = brier_sum_ / n;
  e.accuracy = static_cast<double>(correct_) / n;
  for (std::size_t b = 0; b < bin_count_.size(); ++b) {
    e.calibration.push_back({bin_count_[b], 0.0, 0.0});
    if (bin_count_[b] == 0) continue;
    const auto c = static_cast<double>(bin_count_[b]);
    e.calibration.back().confidence = bin_confidence_[b] / c;
    e.calibration.back().accuracy = static_cast<double>(bin_correct_[b]) / c;
    e.ece += c / n * std::abs(e.calibration.back().accuracy - e.calibration.back().confidence);
  }
  for (std::size_t k = 0; k < confusion_.size(); ++k) {
    std::int64_t total = 0;
    for (std::int64_t v : confusion_[k]) total += v;
    e.per_class_accuracy.push_back(total ? static_cast<double>(confusion_[k][k]) /
                                               static_cast<double>(total)
                                         : std::numeric_limits<double>::quiet_NaN());
  }
  return e;
}

nlohmann::json Evaluation::to_json() const {
  return {{"count", count},        {"loss", loss},
          {"accuracy", accuracy},  {"ece", ece},
          {"brier", brier},        {"per_class_accuracy", per_class_accuracy},
          {"confusion", confusion}};
}

}  // namespace dither
