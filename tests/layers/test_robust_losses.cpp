#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "layer_testing.h"
#include "layers/loss.h"
#include "layers/robust_losses.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

// softmax of one row, in double.
std::vector<double> softmax_ref(const std::vector<double>& z) {
  double total = 0.0;
  for (double v : z) total += std::exp(v);
  std::vector<double> p;
  for (double v : z) p.push_back(std::exp(v) / total);
  return p;
}

const std::vector<double> kRow0{2.0, 1.0, 0.0};
const std::vector<double> kRow1{-0.5, 0.3, 1.2};

Tensor two_rows() { return Tensor::from({2.0f, 1.0f, 0.0f, -0.5f, 0.3f, 1.2f}, {2, 3}); }

TEST(GeneralizedCrossEntropyTest, MatchesAHandComputation) {
  // Labels 0 and 1: mean of (1 - p_y^0.7) / 0.7.
  const double p0 = softmax_ref(kRow0)[0];
  const double p1 = softmax_ref(kRow1)[1];
  const double expected = ((1 - std::pow(p0, 0.7)) + (1 - std::pow(p1, 0.7))) / 0.7 / 2;
  EXPECT_NEAR(generalized_cross_entropy(two_rows(), Tensor::from({0, 1}, {2})).item(), expected,
              1e-6);
  // q = 1 is 1 - p_y; a small q approaches cross-entropy -log p_y.
  EXPECT_NEAR(generalized_cross_entropy(two_rows(), Tensor::from({0, 1}, {2}), 1.0f).item(),
              (2 - p0 - p1) / 2, 1e-6);
  EXPECT_NEAR(generalized_cross_entropy(two_rows(), Tensor::from({0, 1}, {2}), 1e-3f).item(),
              -(std::log(p0) + std::log(p1)) / 2, 2e-3);
}

TEST(GeneralizedCrossEntropyTest, SoftTargetsWeighEachClassTerm) {
  const std::vector<double> t{0.25, 0.0, 0.75};
  const std::vector<double> p = softmax_ref(kRow0);
  double expected = 0.0;
  for (std::size_t k = 0; k < 3; ++k) expected += t[k] * (1 - std::pow(p[k], 0.5)) / 0.5;
  const Tensor logits = Tensor::from({2.0f, 1.0f, 0.0f}, {1, 3});
  EXPECT_NEAR(
      generalized_cross_entropy(logits, Tensor::from({0.25f, 0, 0.75f}, {1, 3}), 0.5f).item(),
      expected, 1e-6);
}

TEST(GeneralizedCrossEntropyTest, GradientIsCrossEntropysScaledByPyToTheQ) {
  // d/dz (1 - p_y^q) / q = p_y^q d(-log p_y)/dz: a wrong label the model disbelieves (small p_y)
  // pulls much less than under cross-entropy.
  Tensor z = Tensor::from({3.0f, -1.0f, 0.5f}, {1, 3});
  z.set_requires_grad(true);
  const Tensor y = Tensor::from({1.0f}, {1});
  const Tensor g_gce = grad(generalized_cross_entropy(z, y, 0.7f), {z})[0];
  const Tensor g_ce = grad(cross_entropy(z, y), {z})[0];
  const double p_y = softmax_ref({3.0, -1.0, 0.5})[1];
  for (std::int64_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(g_gce.ptr()[j], std::pow(p_y, 0.7) * g_ce.ptr()[j], 1e-6) << j;
  }
}

TEST(GeneralizedCrossEntropyTest, GradientMatchesFiniteDifferences) {
  const Tensor labels = Tensor::from({2, 0, 1}, {3});
  EXPECT_TRUE(testing::gradcheck(
      [&](const auto& in) { return generalized_cross_entropy(in[0], labels, 0.7f); },
      {testing::random_uniform({3, 4}, -2.0f, 2.0f, 1)}));
  const Tensor soft = Tensor::from({0.2f, 0.8f, 0.0f, 0.0f, 0.5f, 0.5f}, {2, 3});
  EXPECT_TRUE(testing::gradcheck(
      [&](const auto& in) { return generalized_cross_entropy(in[0], soft, 0.4f); },
      {testing::random_uniform({2, 3}, -2.0f, 2.0f, 2)}));
}

TEST(SymmetricCrossEntropyTest, MatchesAHandComputation) {
  // alpha CE + beta RCE, RCE = -A (1 - p_y) for a hard label.
  const double p0 = softmax_ref(kRow0)[0];
  const double p1 = softmax_ref(kRow1)[1];
  const double ce = -(std::log(p0) + std::log(p1)) / 2;
  const double rce = 4.0 * ((1 - p0) + (1 - p1)) / 2;
  EXPECT_NEAR(symmetric_cross_entropy(two_rows(), Tensor::from({0, 1}, {2})).item(),
              0.1 * ce + 1.0 * rce, 1e-6);
  EXPECT_NEAR(
      symmetric_cross_entropy(two_rows(), Tensor::from({0, 1}, {2}), 0.5f, 2.0f, -9.0f).item(),
      0.5 * ce + 2.0 * 9.0 * ((1 - p0) + (1 - p1)) / 2, 1e-5);
}

TEST(SymmetricCrossEntropyTest, SoftTargetsClampTheLogOfEachLabelProbability) {
  // t = [0.5, 0.5, 0]: RCE = -(p0 log 0.5 + p1 log 0.5 + p2 A).
  const std::vector<double> p = softmax_ref(kRow0);
  const double ce = -(0.5 * std::log(p[0]) + 0.5 * std::log(p[1]));
  const double rce = -(p[0] * std::log(0.5) + p[1] * std::log(0.5) + p[2] * -4.0);
  const Tensor logits = Tensor::from({2.0f, 1.0f, 0.0f}, {1, 3});
  EXPECT_NEAR(symmetric_cross_entropy(logits, Tensor::from({0.5f, 0.5f, 0}, {1, 3})).item(),
              0.1 * ce + rce, 1e-6);
}

TEST(SymmetricCrossEntropyTest, GradientMatchesFiniteDifferences) {
  const Tensor labels = Tensor::from({2, 0, 1}, {3});
  EXPECT_TRUE(
      testing::gradcheck([&](const auto& in) { return symmetric_cross_entropy(in[0], labels); },
                         {testing::random_uniform({3, 4}, -2.0f, 2.0f, 3)}));
  const Tensor soft = Tensor::from({0.2f, 0.8f, 0.0f, 0.0f, 0.5f, 0.5f}, {2, 3});
  EXPECT_TRUE(testing::gradcheck(
      [&](const auto& in) { return symmetric_cross_entropy(in[0], soft, 0.3f, 1.5f); },
      {testing::random_uniform({2, 3}, -2.0f, 2.0f, 4)}));
}

TEST(RobustLossesTest, StayFiniteWhereSoftmaxUnderflows) {
  // exp(-200) is 0 in float: the gradient must still be finite.
  Tensor z = Tensor::from({100.0f, -100.0f, 0.0f}, {1, 3});
  z.set_requires_grad(true);
  const Tensor y = Tensor::from({1.0f}, {1});
  for (const Tensor& loss : {generalized_cross_entropy(z, y), symmetric_cross_entropy(z, y)}) {
    EXPECT_TRUE(std::isfinite(loss.item()));
    const Tensor g = grad(loss, {z})[0];
    for (float v : g.data()) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(RobustLossesTest, FromJsonRoundTripsAndRefusesBadValuesNamingThePath) {
  const Loss gce = make_loss({{"type", "gce"}});
  EXPECT_EQ(gce.to_json(), (nlohmann::json{{"type", "gce"}, {"q", 0.7f}}));
  const Loss sce = make_loss({{"type", "sce"}, {"alpha", 0.5}});
  EXPECT_EQ(make_loss(sce.to_json()).to_json(), sce.to_json());
  EXPECT_EQ(sce.to_json()["log_floor"], -4.0f);
  const Tensor logits = two_rows();
  const Tensor y = Tensor::from({0, 1}, {2});
  EXPECT_FLOAT_EQ(gce(logits, y).item(), generalized_cross_entropy(logits, y, 0.7f).item());
  EXPECT_FLOAT_EQ(sce(logits, y).item(), symmetric_cross_entropy(logits, y, 0.5f).item());
  EXPECT_TRUE(gce.accepts_soft_targets() && gce.takes_class_targets());
  auto error = [](const nlohmann::json& spec) {
    return testing::config_error([&] { make_loss(spec, "loss"); });
  };
  EXPECT_NE(error({{"type", "gce"}, {"q", 0}}).find("loss.q"), std::string::npos);
  EXPECT_NE(error({{"type", "gce"}, {"q", 1.5}}).find("loss.q"), std::string::npos);
  EXPECT_NE(error({{"type", "sce"}, {"log_floor", 0}}).find("loss.log_floor"), std::string::npos);
  EXPECT_NE(error({{"type", "sce"}, {"beta", -1}}).find("loss.beta"), std::string::npos);
  EXPECT_NE(error({{"type", "gce"}, {"label_smoothing", 0.1}}).find("loss.label_smoothing"),
            std::string::npos);
  EXPECT_THROW(generalized_cross_entropy(logits, Tensor::from({0, 3}, {2})), Error);
}

}  // namespace
}  // namespace dither
