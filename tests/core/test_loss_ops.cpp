#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/ops/loss.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::gradcheck;
using testing::random_uniform;

// Reference log-softmax of one row, in double.
std::vector<double> log_softmax_ref(const std::vector<float>& z) {
  double top = z[0];
  for (float v : z) top = std::max(top, static_cast<double>(v));
  double total = 0.0;
  for (float v : z) total += std::exp(v - top);
  std::vector<double> out;
  for (float v : z) out.push_back(v - top - std::log(total));
  return out;
}

std::vector<float> row(const Tensor& t, std::int64_t i) {
  const std::int64_t k = t.size(1);
  return {t.ptr() + i * k, t.ptr() + (i + 1) * k};
}

// Row-normalised positive tensor: soft targets that stay valid while gradcheck perturbs them.
Tensor normalized_rows(const Tensor& t) { return div(t, sum(t, {1}, true)); }

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CrossEntropyTest, MatchesThePyTorchLabelSmoothingOracle) {
  const Tensor logits = Tensor::from({2.0f, 1.0f, 0.0f, -1.0f, 0.5f}, {1, 5});
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  EXPECT_NEAR(cross_entropy(logits, Tensor::from({0.0f}, {1}), options).item(), 0.7244379, 1e-6);
}

TEST(CrossEntropyTest, SmoothingMatchesAHandComputation) {
  const Tensor logits = random_uniform({4, 3}, -2.0f, 2.0f, 11);
  const std::vector<float> labels{2, 0, 1, 1};
  const double eps = 0.2;
  double expected = 0.0;
  for (std::int64_t i = 0; i < 4; ++i) {
    const auto lp = log_softmax_ref(row(logits, i));
    for (std::size_t j = 0; j < 3; ++j) {
      const double q = (1 - eps) * (j == labels[i] ? 1.0 : 0.0) + eps / 3.0;
      expected -= q * lp[j];
    }
  }
  CrossEntropyOptions options;
  options.label_smoothing = static_cast<float>(eps);
  const Tensor loss = cross_entropy(logits, Tensor::from(labels, {4}), options);
  EXPECT_NEAR(loss.item(), expected / 4.0, 1e-5);
}

TEST(CrossEntropyTest, ClassWeightsDivideBySummedTargetWeights) {
  const Tensor logits = random_uniform({3, 3}, -2.0f, 2.0f, 12);
  const std::vector<float> labels{0, 2, 2};
  const std::vector<float> w{0.5f, 1.0f, 3.0f};
  double total = 0.0;
  double weights = 0.0;
  for (std::int64_t i = 0; i < 3; ++i) {
    const auto lp = log_softmax_ref(row(logits, i));
    const auto y = static_cast<std::size_t>(labels[i]);
    total -= w[y] * lp[y];
    weights += w[y];
  }
  CrossEntropyOptions options;
  options.weight = Tensor::from(w, {3});
  EXPECT_NEAR(cross_entropy(logits, Tensor::from(labels, {3}), options).item(), total / weights,
              1e-5);
}

TEST(CrossEntropyTest, WeightsWithSmoothingFollowPyTorch) {
  // (1 - eps) NLL_w + (eps / K) sum_c -w_c log p_c, both over the summed target weights.
  const Tensor logits = random_uniform({2, 4}, -2.0f, 2.0f, 13);
  const std::vector<float> labels{3, 1};
  const std::vector<float> w{1.0f, 2.0f, 0.5f, 4.0f};
  const double eps = 0.3;
  double nll_part = 0.0;
  double smooth_part = 0.0;
  double weights = 0.0;
  for (std::int64_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_ref(row(logits, i));
    const auto y = static_cast<std::size_t>(labels[i]);
    nll_part -= w[y] * lp[y];
    weights += w[y];
    for (std::size_t c = 0; c < 4; ++c) smooth_part -= w[c] * lp[c];
  }
  const double expected = ((1 - eps) * nll_part + eps / 4.0 * smooth_part) / weights;
  CrossEntropyOptions options;
  options.label_smoothing = static_cast<float>(eps);
  options.weight = Tensor::from(w, {4});
  EXPECT_NEAR(cross_entropy(logits, Tensor::from(labels, {2}), options).item(), expected, 1e-5);
}

TEST(CrossEntropyTest, OneHotSoftTargetsEqualClassIndices) {
  const Tensor logits = random_uniform({3, 4}, -3.0f, 3.0f, 14);
  const Tensor one_hot = Tensor::from({0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0}, {3, 4});
  CrossEntropyOptions options;
  options.label_smoothing = 0.15f;
  EXPECT_NEAR(cross_entropy(logits, one_hot, options).item(),
              cross_entropy(logits, Tensor::from({1, 3, 0}, {3}), options).item(), 1e-6);
}

TEST(CrossEntropyTest, SoftTargetsWithSmoothingMatchAHandComputation) {
  const Tensor logits = random_uniform({2, 3}, -2.0f, 2.0f, 15);
  const Tensor soft = Tensor::from({0.7f, 0.3f, 0.0f, 0.1f, 0.1f, 0.8f}, {2, 3});
  const double eps = 0.1;
  double expected = 0.0;
  for (std::int64_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_ref(row(logits, i));
    for (std::size_t j = 0; j < 3; ++j) {
      expected -= ((1 - eps) * soft.ptr()[i * 3 + static_cast<std::int64_t>(j)] + eps / 3) * lp[j];
    }
  }
  CrossEntropyOptions options;
  options.label_smoothing = static_cast<float>(eps);
  EXPECT_NEAR(cross_entropy(logits, soft, options).item(), expected / 2.0, 1e-5);
}

TEST(CrossEntropyTest, SmoothingOverTheOtherClassesMatchesAHandComputation) {
  // Hard label: 1 - eps on the label, eps / (K - 1) elsewhere; soft rows t: the affine map
  // eps / (K - 1) + t (1 - eps K / (K - 1)), which agrees with it on one-hot rows.
  const Tensor logits = random_uniform({2, 4}, -2.0f, 2.0f, 16);
  const Tensor soft = Tensor::from({0.6f, 0.4f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f}, {2, 4});
  const double eps = 0.3;
  double hard = 0.0;
  double mixed = 0.0;
  for (std::int64_t i = 0; i < 2; ++i) {
    const auto lp = log_softmax_ref(row(logits, i));
    for (std::size_t j = 0; j < 4; ++j) {
      const double t = soft.ptr()[i * 4 + static_cast<std::int64_t>(j)];
      hard -= (j == (i == 0 ? 0u : 3u) ? 1 - eps : eps / 3) * lp[j];
      mixed -= (eps / 3 + t * (1 - eps * 4 / 3)) * lp[j];
    }
  }
  CrossEntropyOptions options;
  options.label_smoothing = static_cast<float>(eps);
  options.smoothing = Smoothing::others;
  EXPECT_NEAR(cross_entropy(logits, Tensor::from({0, 3}, {2}), options).item(), hard / 2, 1e-5);
  EXPECT_NEAR(cross_entropy(logits, soft, options).item(), mixed / 2, 1e-5);
  EXPECT_THROW(cross_entropy(Tensor::zeros({1, 1}), Tensor::zeros({1}), options), Error);
}

TEST(CrossEntropyTest, OtherClassesSmoothingGradientsMatchFiniteDifferences) {
  CrossEntropyOptions options;
  options.label_smoothing = 0.2f;
  options.smoothing = Smoothing::others;
  const Tensor labels = Tensor::from({1, 0, 2}, {3});
  EXPECT_TRUE(gradcheck([&](const auto& in) { return cross_entropy(in[0], labels, options); },
                        {random_uniform({3, 4}, -2.0f, 2.0f, 25)}));
  EXPECT_TRUE(gradcheck(
      [&](const auto& in) { return cross_entropy(in[0], normalized_rows(in[1]), options); },
      {random_uniform({3, 4}, -2.0f, 2.0f, 26), random_uniform({3, 4}, 0.1f, 1.0f, 27)}));
}

TEST(CrossEntropyTest, HugeLogitsStayFinite) {
  Tensor logits = Tensor::from({1e4f, 0.0f, -1e4f, -1e4f, 1e4f, 0.0f}, {2, 3});
  logits.set_requires_grad(true);
  const Tensor loss = cross_entropy(logits, Tensor::from({1.0f, 1.0f}, {2}));
  EXPECT_NEAR(loss.item(), (1e4 + 0.0) / 2.0, 1e-2);
  loss.backward();
  for (float g : logits.grad().to_vector()) EXPECT_TRUE(std::isfinite(g));
  EXPECT_NEAR(logits.grad().ptr()[0], 0.5f, 1e-6);
  EXPECT_NEAR(logits.grad().ptr()[1], -0.5f, 1e-6);
}

TEST(CrossEntropyTest, GradientMatchesFiniteDifferences) {
  const Tensor labels = Tensor::from({1, 0, 2, 2}, {4});
  EXPECT_TRUE(gradcheck([&](const auto& in) { return cross_entropy(in[0], labels); },
                        {random_uniform({4, 3}, -2.0f, 2.0f, 21)}));
}

TEST(CrossEntropyTest, GradientWithSmoothingAndWeightsMatchesFiniteDifferences) {
  const Tensor labels = Tensor::from({1, 0, 2, 2}, {4});
  CrossEntropyOptions options;
  options.label_smoothing = 0.2f;
  options.weight = Tensor::from({0.5f, 2.0f, 1.5f}, {3});
  EXPECT_TRUE(gradcheck([&](const auto& in) { return cross_entropy(in[0], labels, options); },
                        {random_uniform({4, 3}, -2.0f, 2.0f, 22)}));
}

TEST(CrossEntropyTest, SoftTargetGradientsMatchFiniteDifferences) {
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  options.weight = Tensor::from({1.0f, 0.5f, 2.0f, 1.0f}, {4});
  EXPECT_TRUE(gradcheck(
      [&](const auto& in) { return cross_entropy(in[0], normalized_rows(in[1]), options); },
      {random_uniform({3, 4}, -2.0f, 2.0f, 23), random_uniform({3, 4}, 0.1f, 1.0f, 24)}));
}

TEST(CrossEntropyTest, PerSampleReductionSumsToTheSumReduction) {
  const Tensor logits = random_uniform({5, 3}, -2.0f, 2.0f, 25);
  const Tensor labels = Tensor::from({0, 1, 2, 1, 0}, {5});
  CrossEntropyOptions options;
  options.reduction = Reduction::kNone;
  const Tensor each = cross_entropy(logits, labels, options);
  ASSERT_EQ(each.shape(), (Shape{5}));
  options.reduction = Reduction::kSum;
  EXPECT_NEAR(sum(each).item(), cross_entropy(logits, labels, options).item(), 1e-5);
  EXPECT_NEAR(sum(each).item() / 5.0, cross_entropy(logits, labels).item(), 1e-5);
  options.reduction = Reduction::kNone;
  EXPECT_TRUE(
      gradcheck([&](const auto& in) { return cross_entropy(in[0], labels, options); }, {logits}));
}

TEST(CrossEntropyTest, BadTargetsThrowWithTheIndexAndK) {
  const Tensor logits = Tensor::zeros({2, 5});
  const std::string out_of_range = message_of([&] {
    cross_entropy(logits, Tensor::from({1.0f, 7.0f}, {2}));
  });
  EXPECT_NE(out_of_range.find("target 7 at index 1"), std::string::npos) << out_of_range;
  EXPECT_NE(out_of_range.find("[0, 5)"), std::string::npos) << out_of_range;
  EXPECT_THROW(cross_entropy(logits, Tensor::from({1.0f, -1.0f}, {2})), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from({1.5f, 0.0f}, {2})), Error);
  EXPECT_THROW(cross_entropy(logits, Tensor::from({1.0f, 0.0f, 2.0f}, {3})), ShapeError);
  EXPECT_THROW(cross_entropy(logits, Tensor::zeros({2, 4})), ShapeError);
  EXPECT_THROW(cross_entropy(logits, Tensor::zeros({2, 5})), Error);  // rows sum to 0
  EXPECT_THROW(cross_entropy(Tensor::zeros({5}), Tensor::zeros({5})), ShapeError);
  CrossEntropyOptions options;
  options.weight = Tensor::ones({4});
  EXPECT_THROW(cross_entropy(logits, Tensor::from({1.0f, 0.0f}, {2}), options), ShapeError);
}

TEST(NllTest, PicksTheTargetLogProbability) {
  const Tensor log_probs = Tensor::from({-0.1f, -2.0f, -3.0f, -0.5f}, {2, 2});
  EXPECT_FLOAT_EQ(nll(log_probs, Tensor::from({1.0f, 0.0f}, {2})).item(), (2.0f + 3.0f) / 2.0f);
  EXPECT_TRUE(gradcheck(
      [](const auto& in) {
        return nll(in[0], Tensor::from({1, 0, 2}, {3}));
      },
      {random_uniform({3, 3}, -3.0f, 0.0f, 31)}));
}

TEST(MseTest, MeanOfSquaredDifferences) {
  const Tensor a = Tensor::from({1.0f, 2.0f, 3.0f}, {3});
  const Tensor b = Tensor::from({0.0f, 4.0f, 3.5f}, {3});
  EXPECT_FLOAT_EQ(mse(a, b).item(), (1.0f + 4.0f + 0.25f) / 3.0f);
  EXPECT_FLOAT_EQ(mse(a, b, Reduction::kSum).item(), 5.25f);
  EXPECT_TRUE(gradcheck(
      [](const auto& in) { return mse(in[0], in[1]); },
      {random_uniform({2, 3}, -1.0f, 1.0f, 41), random_uniform({2, 3}, -1.0f, 1.0f, 42)}));
  EXPECT_THROW(mse(a, Tensor::zeros({2})), ShapeError);
}

TEST(L1Test, MeanOfAbsoluteDifferences) {
  EXPECT_FLOAT_EQ(l1(Tensor::from({1.0f, -2.0f}, {2}), Tensor::from({3.0f, -2.5f}, {2})).item(),
                  1.25f);
  // Offsetting b keeps every difference away from the kink at a = b.
  EXPECT_TRUE(
      gradcheck([](const auto& in) { return l1(in[0], in[1]); },
                {random_uniform({2, 3}, 0.5f, 1.0f, 43), random_uniform({2, 3}, -1.0f, 0.3f, 44)}));
}

TEST(HuberTest, QuadraticInsideDeltaLinearOutside) {
  const Tensor a = Tensor::from({0.5f, 3.0f, -4.0f}, {3});
  const Tensor b = Tensor::zeros({3});
  // delta 2: 0.5 * 0.25, 2 * (3 - 1), 2 * (4 - 1)
  EXPECT_FLOAT_EQ(huber(a, b, 2.0f, Reduction::kNone).to_vector()[0], 0.125f);
  EXPECT_FLOAT_EQ(huber(a, b, 2.0f, Reduction::kSum).item(), 0.125f + 4.0f + 6.0f);
  EXPECT_TRUE(gradcheck(
      [](const auto& in) { return huber(in[0], in[1], 0.5f); },
      {random_uniform({2, 4}, -1.0f, 1.0f, 45), random_uniform({2, 4}, -1.0f, 1.0f, 46)}));
  EXPECT_THROW(huber(a, b, 0.0f), Error);
}

TEST(BceWithLogitsTest, MatchesTheNaiveFormAndStaysFinite) {
  const float x = 0.7f;
  const float t = 0.3f;
  const double s = 1.0 / (1.0 + std::exp(-x));
  const double naive = -(t * std::log(s) + (1 - t) * std::log(1 - s));
  EXPECT_NEAR(bce_with_logits(Tensor::from({x}, {1}), Tensor::from({t}, {1})).item(), naive, 1e-6);
  const Tensor big = bce_with_logits(Tensor::from({100.0f, -100.0f}, {2}),
                                     Tensor::from({0.0f, 1.0f}, {2}), Reduction::kNone);
  EXPECT_FLOAT_EQ(big.to_vector()[0], 100.0f);
  EXPECT_FLOAT_EQ(big.to_vector()[1], 100.0f);
  EXPECT_TRUE(
      gradcheck([](const auto& in) { return bce_with_logits(in[0], in[1]); },
                {random_uniform({2, 3}, -3.0f, 3.0f, 47), random_uniform({2, 3}, 0.0f, 1.0f, 48)}));
}

TEST(KlDivTest, FollowsBatchmeanSemantics) {
  const Tensor p = Tensor::from({0.5f, 0.5f, 0.0f, 0.2f, 0.3f, 0.5f}, {2, 3});
  const Tensor q = Tensor::from({0.25f, 0.25f, 0.5f, 0.4f, 0.4f, 0.2f}, {2, 3});
  double expected = 0.0;
  for (std::int64_t i = 0; i < 6; ++i) {
    const double pv = p.ptr()[i];
    if (pv > 0) expected += pv * (std::log(pv) - std::log(q.ptr()[i]));
  }
  const Tensor log_q = Tensor::from({std::log(0.25f), std::log(0.25f), std::log(0.5f),
                                     std::log(0.4f), std::log(0.4f), std::log(0.2f)},
                                    {2, 3});
  EXPECT_NEAR(kl_div(log_q, p).item(), expected / 2.0, 1e-6);
  // p away from 0: p log p curves so fast there that a 1e-2 central difference is off by more
  // than the tolerance.
  EXPECT_TRUE(gradcheck(
      [](const auto& in) { return kl_div(in[0], normalized_rows(in[1])); },
      {random_uniform({2, 3}, -3.0f, -0.1f, 51), random_uniform({2, 3}, 0.4f, 1.0f, 52)}));
}

TEST(KlDivLogitsTest, EqualsKlDivOfTheSoftmaxes) {
  const Tensor zp = random_uniform({3, 4}, -2.0f, 2.0f, 53);
  const Tensor zq = random_uniform({3, 4}, -2.0f, 2.0f, 54);
  std::vector<float> log_q;
  std::vector<float> p;
  for (std::int64_t i = 0; i < 3; ++i) {
    for (double v : log_softmax_ref(row(zq, i))) log_q.push_back(static_cast<float>(v));
    for (double v : log_softmax_ref(row(zp, i))) p.push_back(static_cast<float>(std::exp(v)));
  }
  EXPECT_NEAR(kl_div_logits(zp, zq).item(),
              kl_div(Tensor::from(log_q, {3, 4}), Tensor::from(p, {3, 4})).item(), 1e-6);
  EXPECT_NEAR(kl_div_logits(zp, zp).item(), 0.0, 1e-7);
  EXPECT_TRUE(gradcheck([](const auto& in) { return kl_div_logits(in[0], in[1]); }, {zp, zq}));
}

}  // namespace
}  // namespace dither
