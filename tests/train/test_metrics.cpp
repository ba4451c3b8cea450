#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "train/metrics.h"

namespace dither {
namespace {

TEST(MetricsTest, AccuracyLossAndConfusionOnHandComputedLogits) {
  MetricAccumulator m(2);
  // Row 0 predicts class 0 (right), row 1 predicts class 0 (wrong: label 1).
  m.add(Tensor::from({2.0f, 0.0f, 1.0f, 0.0f}, {2, 2}), Tensor::from({0.0f, 1.0f}, {2}));
  const Evaluation e = m.result();
  EXPECT_EQ(e.count, 2);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.5);
  const double nll0 = std::log(1.0 + std::exp(-2.0));
  const double nll1 = std::log(std::exp(1.0) + 1.0);
  EXPECT_NEAR(e.loss, (nll0 + nll1) / 2.0, 1e-6);
  EXPECT_EQ(e.confusion[0][0], 1);
  EXPECT_EQ(e.confusion[1][0], 1);
  EXPECT_DOUBLE_EQ(e.per_class_accuracy[0], 1.0);
  EXPECT_DOUBLE_EQ(e.per_class_accuracy[1], 0.0);
}

TEST(MetricsTest, EceIsTheBinWeightedGapBetweenConfidenceAndAccuracy) {
  MetricAccumulator m(2);
  const float big = std::log(9.0f);  // softmax confidence 0.9
  m.add(Tensor::from({big, 0, big, 0, big, 0, big, 0}, {4, 2}), Tensor::from({0, 0, 0, 1}, {4}));
  // One bin holds all four at confidence 0.9 with accuracy 0.75.
  EXPECT_NEAR(m.result().ece, 0.15, 1e-6);
}

// Binary predictions whose confidence p is uniform on [0.5, 1): `calibrated` draws the label
// right with probability p itself, else with probability 0.6 whatever p says.
Evaluation synthetic(bool calibrated, std::int64_t n) {
  const RandomStream stream(3, "calibration");
  std::vector<float> logits;
  std::vector<float> labels;
  for (std::int64_t i = 0; i < n; ++i) {
    const double p = 0.5 + 0.5 * stream.uniform(static_cast<std::uint64_t>(2 * i));
    logits.push_back(static_cast<float>(std::log(p / (1 - p))));
    logits.push_back(0.0f);
    const double right = calibrated ? p : 0.6;
    labels.push_back(stream.uniform(static_cast<std::uint64_t>(2 * i + 1)) < right ? 0.0f : 1.0f);
  }
  MetricAccumulator m(2);
  m.add(Tensor::from(logits, {n, 2}), Tensor::from(labels, {n}));
  return m.result();
}

TEST(MetricsTest, EceOfACalibratedPredictorIsNearZeroAndOfAnOverconfidentOneLarge) {
  const std::int64_t n = 20000;
  const Evaluation calibrated = synthetic(true, n);
  // Each of the ~8 occupied bins holds n / 8 samples: its accuracy's standard error is at most
  // sqrt(0.25 / 2500) = 0.01, so the weighted gap stays well below 0.02.
  EXPECT_LT(calibrated.ece, 0.02);
  // Confidence 0.75 on average, accuracy 0.6: a gap of 0.15.
  const Evaluation overconfident = synthetic(false, n);
  EXPECT_NEAR(overconfident.ece, 0.15, 0.02);
  // The bins report what the ECE weighs: each occupied bin's accuracy near its confidence.
  std::int64_t counted = 0;
  for (const CalibrationBin& bin : calibrated.calibration) {
    counted += bin.count;
    if (bin.count > 1000) {
      EXPECT_NEAR(bin.accuracy, bin.confidence, 0.04);
    }
  }
  EXPECT_EQ(counted, n);
  EXPECT_EQ(calibrated.calibration.size(), 15u);
}

TEST(MetricsTest, BrierScoreAgainstHandComputedValues) {
  MetricAccumulator m(3);
  // Row 0: p = (e^2, 1, 1) / (e^2 + 2), label 0. Row 1: uniform p = 1/3 each, label 2.
  m.add(Tensor::from({2, 0, 0, 5, 5, 5}, {2, 3}), Tensor::from({0, 2}, {2}));
  const double z = std::exp(2.0) + 2.0;
  const double p0 = std::exp(2.0) / z;
  const double row0 = (p0 - 1) * (p0 - 1) + 2.0 / (z * z);
  const double row1 = 2.0 / 9.0 + (2.0 / 3.0) * (2.0 / 3.0);
  EXPECT_NEAR(m.result().brier, (row0 + row1) / 2.0, 1e-9);
  MetricAccumulator sure(2);  // confident and right: 0; confident and wrong: 2
  sure.add(Tensor::from({100, 0, 100, 0}, {2, 2}), Tensor::from({0, 1}, {2}));
  EXPECT_NEAR(sure.result().brier, 1.0, 1e-9);
}

TEST(MetricsTest, ResultDoesNotDependOnBatching) {
  const Tensor logits = Tensor::from({0.1f, 0.5f, -0.2f, 2.0f, 1.0f, 0.3f}, {3, 2});
  const Tensor targets = Tensor::from({1, 0, 0}, {3});
  MetricAccumulator whole(2);
  whole.add(logits, targets);
  MetricAccumulator parts(2);
  parts.add(Tensor::from({0.1f, 0.5f}, {1, 2}), Tensor::from({1}, {1}));
  parts.add(Tensor::from({-0.2f, 2.0f, 1.0f, 0.3f}, {2, 2}), Tensor::from({0, 0}, {2}));
  EXPECT_NEAR(whole.result().loss, parts.result().loss, 1e-12);
  EXPECT_EQ(whole.result().accuracy, parts.result().accuracy);
}

TEST(MetricsTest, BadTargetsAreErrors) {
  MetricAccumulator m(2);
  EXPECT_THROW(m.add(Tensor::zeros({2, 2}), Tensor::from({0, 5}, {2})), Error);
  EXPECT_THROW(m.add(Tensor::zeros({2, 3}), Tensor::from({0, 1}, {2})), ShapeError);
}

}  // namespace
}  // namespace dither
