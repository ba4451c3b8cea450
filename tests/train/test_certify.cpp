#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "layers/linear.h"
#include "train/certify.h"

namespace dither {
namespace {

// A linear model on two features whose weights and biases the test sets.
std::shared_ptr<Linear> linear_model(std::vector<float> weight, std::vector<float> bias) {
  auto model = std::make_shared<Linear>(
      LinearOptions{.in = 2, .out = static_cast<std::int64_t>(bias.size())});
  auto params = model->parameters();
  std::copy(weight.begin(), weight.end(), params[0].ptr());
  std::copy(bias.begin(), bias.end(), params[1].ptr());
  return model;
}

TEST(CertifyTest, ClopperPearsonLowerBoundMatchesItsClosedForms) {
  // hits = n: the bound solves p^n = alpha; hits = 1: 1 - (1 - p)^n = alpha.
  for (std::int64_t n : {1, 10, 1000, 100000}) {
    EXPECT_NEAR(clopper_pearson_lower(n, n, 0.001), std::pow(0.001, 1.0 / n), 1e-12) << n;
    EXPECT_NEAR(clopper_pearson_lower(1, n, 0.05), 1.0 - std::pow(0.95, 1.0 / n), 1e-12) << n;
  }
  EXPECT_EQ(clopper_pearson_lower(0, 50, 0.001), 0.0);
  // More hits, a higher bound; a smaller alpha, a lower one.
  EXPECT_LT(clopper_pearson_lower(600, 1000, 0.01), clopper_pearson_lower(601, 1000, 0.01));
  EXPECT_LT(clopper_pearson_lower(600, 1000, 0.001), clopper_pearson_lower(600, 1000, 0.01));
  // The bound is below the observed rate, and close to it for many trials.
  EXPECT_LT(clopper_pearson_lower(9000, 10000, 0.001), 0.9);
  EXPECT_GT(clopper_pearson_lower(9000, 10000, 0.001), 0.89);
}

TEST(CertifyTest, RadiusIsSigmaTimesTheNormalQuantile) {
  EXPECT_NEAR(certified_radius(0.975, 0.5), 0.5 * 1.959963984540054, 1e-9);
  EXPECT_NEAR(certified_radius(0.8413447460685429, 1.0), 1.0, 1e-9);
  EXPECT_EQ(certified_radius(0.5, 1.0), 0.0);
  EXPECT_EQ(certified_radius(0.3, 1.0), 0.0);
}

TEST(CertifyTest, AConstantClassifierCertifiesTheLargestRadiusEverywhere) {
  auto model = linear_model({0, 0, 0, 0, 0, 0}, {0, 0, 5});  // always class 2
  CertifyOptions o;
  o.sigma = 0.5;
  o.n0 = 10;
  o.n = 500;
  const double expected = certified_radius(std::pow(o.alpha, 1.0 / 500), 0.5);
  for (int i = 0; i < 5; ++i) {
    const Tensor x = Tensor::from({0.1f * i, -0.2f * i}, {2});
    const Certificate c = certify_one(*model, x, 2, 3, o, RandomStream(1, "c").child(i));
    EXPECT_EQ(c.predicted, 2);
    EXPECT_EQ(c.count, 500);
    EXPECT_NEAR(c.radius, expected, 1e-9);
  }
}

TEST(CertifyTest, AbstainsWhenTheNoiseSplitsTheVoteEvenly) {
  // Class 0 where x0 + noise > 0, class 1 elsewhere: at x0 = 0 each wins half of the copies.
  auto model = linear_model({1, 0, -1, 0}, {0, 0});
  CertifyOptions o;
  o.n0 = 100;
  o.n = 2000;
  const Certificate c =
      certify_one(*model, Tensor::from({0, 0}, {2}), 0, 2, o, RandomStream(2, "c"));
  EXPECT_EQ(c.predicted, -1);
  EXPECT_EQ(c.radius, 0.0);
  EXPECT_LT(c.p_lower, 0.5);
  EXPECT_EQ(smoothed_predict({50, 50, 0}, 0.001), -1);
  EXPECT_EQ(smoothed_predict({0, 100, 3}, 0.001), 1);
  EXPECT_EQ(smoothed_predict({55, 45}, 0.001), -1);  // p = 0.37: no decision
}

TEST(CertifyTest, CountsDependOnTheSampleAndCopyNotOnTheBatchSize) {
  auto model = linear_model({1, 0, -1, 0}, {0, 0});
  const Tensor x = Tensor::from({0.1f, 0}, {2});
  const RandomStream s(3, "c");
  const auto a = noisy_class_counts(*model, x, 777, 0.5, 1000, 2, s);
  const auto b = noisy_class_counts(*model, x, 777, 0.5, 7, 2, s);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[0] + a[1], 777);
  // P(0.1 + 0.5 z > 0) = Phi(0.2) = 0.579: the count is within 4 standard errors.
  EXPECT_NEAR(a[0] / 777.0, 0.5793, 4 * std::sqrt(0.25 / 777));
}

TEST(CertifyTest, SummaryCountsCorrectSamplesAtEachRadius) {
  std::vector<Certificate> c(4);
  c[0].label = 1, c[0].predicted = 1, c[0].radius = 0.6;
  c[1].label = 0, c[1].predicted = 0, c[1].radius = 0.2;
  c[2].label = 0, c[2].predicted = 1, c[2].radius = 0.9;  // wrong: counts nowhere
  c[3].label = 2, c[3].predicted = -1;                    // abstained
  const nlohmann::json s = certification_summary(c, {0.0, 0.25, 0.5, 1.0});
  EXPECT_DOUBLE_EQ(s["certified_accuracy"]["0"], 0.5);
  EXPECT_DOUBLE_EQ(s["certified_accuracy"]["0.25"], 0.25);
  EXPECT_DOUBLE_EQ(s["certified_accuracy"]["0.5"], 0.25);
  EXPECT_DOUBLE_EQ(s["certified_accuracy"]["1"], 0.0);
  EXPECT_DOUBLE_EQ(s["acr"], (0.6 + 0.2) / 4);
  EXPECT_DOUBLE_EQ(s["abstained"], 0.25);
}

}  // namespace
}  // namespace dither
