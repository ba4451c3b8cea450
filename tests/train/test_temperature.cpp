#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "train/temperature.h"

namespace dither {
namespace {

// A synthetic 3-class predictor whose logits are `sharpness` * z for a true-temperature
// predictor: labels are drawn from softmax(z), so softmax(z) is calibrated by construction and
// sharpness > 1 makes it overconfident by exactly that factor.
struct Synthetic {
  Tensor logits;
  std::vector<std::int32_t> labels;
};

Synthetic synthetic(double sharpness, std::int64_t n, std::uint64_t seed) {
  const RandomStream stream(seed, "temperature.synthetic");
  Synthetic s{Tensor::empty({n, 3}), {}};
  for (std::int64_t i = 0; i < n; ++i) {
    double z[3];
    double norm = 0.0;
    for (int k = 0; k < 3; ++k) {
      z[k] = 2.0 * stream.normal(static_cast<std::uint64_t>(4 * i + k));
      norm += std::exp(z[k]);
    }
    // Draw the label from softmax(z): the first class whose cumulative mass passes u.
    const double u = stream.uniform(static_cast<std::uint64_t>(4 * i + 3)) * norm;
    std::int32_t label = 2;
    double mass = 0.0;
    for (std::int32_t k = 0; k < 2; ++k) {
      mass += std::exp(z[k]);
      if (u < mass) {
        label = k;
        break;
      }
    }
    s.labels.push_back(label);
    for (int k = 0; k < 3; ++k) s.logits.ptr()[i * 3 + k] = static_cast<float>(sharpness * z[k]);
  }
  return s;
}

TEST(TemperatureTest, CalibratedPredictorKeepsTemperatureNearOne) {
  const Synthetic s = synthetic(1.0, 20000, 1);
  EXPECT_NEAR(fit_temperature(s.logits, s.labels), 1.0, 0.05);
}

TEST(TemperatureTest, OverconfidentPredictorGetsItsSharpnessBack) {
  const Synthetic s = synthetic(3.0, 20000, 2);
  const double t = fit_temperature(s.logits, s.labels);
  EXPECT_GT(t, 1.0);
  EXPECT_NEAR(t, 3.0, 0.2);
}

TEST(TemperatureTest, FittedTemperatureLowersTheNll) {
  const Synthetic s = synthetic(0.4, 5000, 3);  // underconfident: T < 1
  const double t = fit_temperature(s.logits, s.labels);
  EXPECT_LT(t, 1.0);
  const double fitted = nll_at_temperature(s.logits, s.labels, t);
  EXPECT_LT(fitted, nll_at_temperature(s.logits, s.labels, 1.0));
  // A minimum: nearby temperatures do no better.
  EXPECT_LE(fitted, nll_at_temperature(s.logits, s.labels, t * 1.05));
  EXPECT_LE(fitted, nll_at_temperature(s.logits, s.labels, t / 1.05));
}

TEST(TemperatureTest, NllAgainstHandComputedValue) {
  Tensor logits = Tensor::empty({1, 2});
  logits.ptr()[0] = 2.0f;
  logits.ptr()[1] = 0.0f;
  const std::vector<std::int32_t> label{1};
  // softmax([2, 0] / 2) = [e, 1] / (e + 1): -log(1 / (e + 1)).
  EXPECT_NEAR(nll_at_temperature(logits, label, 2.0), std::log(std::exp(1.0) + 1.0), 1e-12);
}

TEST(TemperatureTest, RefusesBadInput) {
  Tensor logits = Tensor::empty({2, 3});
  EXPECT_THROW(nll_at_temperature(logits, std::vector<std::int32_t>{0}, 1.0), ShapeError);
  EXPECT_THROW(nll_at_temperature(logits, std::vector<std::int32_t>{0, 3}, 1.0), Error);
  EXPECT_THROW(nll_at_temperature(logits, std::vector<std::int32_t>{0, 1}, 0.0), Error);
}

}  // namespace
}  // namespace dither
