#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
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
