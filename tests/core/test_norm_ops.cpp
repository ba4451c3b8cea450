#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/norm.h"
#include "core/ops/reduce.h"
#include "core/parallel.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::gradcheck;
using testing::random_uniform;

TEST(BatchNormOpTest, TrainingGradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) {
    return batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true);
  };
  EXPECT_TRUE(gradcheck(op, {random_uniform({3, 2, 2, 3}, -1, 1, 1),
                             random_uniform({2}, 0.5f, 1.5f, 2), random_uniform({2}, -1, 1, 3)}));
  EXPECT_TRUE(gradcheck(op, {random_uniform({6, 4}, -1, 1, 4), random_uniform({4}, 0.5f, 1.5f, 5),
                             random_uniform({4}, -1, 1, 6)}));
}

TEST(BatchNormOpTest, EvalGradientMatchesFiniteDifferences) {
  const Tensor mean = random_uniform({3}, -0.5f, 0.5f, 7);
  const Tensor var = random_uniform({3}, 0.5f, 2.0f, 8);
  auto op = [&](const std::vector<Tensor>& in) {
    return batch_norm(in[0], in[1], in[2], mean, var, false);
  };
  EXPECT_TRUE(gradcheck(op, {random_uniform({2, 3, 4}, -1, 1, 9),
                             random_uniform({3}, 0.5f, 1.5f, 10), random_uniform({3}, -1, 1, 11)}));
}

TEST(BatchNormOpTest, TrainingNormalisesAndUpdatesRunningStatistics) {
  const Tensor x = random_uniform({4, 2, 3}, -2, 3, 12);
  Tensor running_mean = Tensor::from({0.5f, -1.0f}, {2});
  Tensor running_var = Tensor::from({2.0f, 0.25f}, {2});
  const Tensor y = batch_norm(x, Tensor(), Tensor(), running_mean, running_var, true, 0.3f, 1e-5f);
  for (std::int64_t c = 0; c < 2; ++c) {
    std::vector<double> v;
    for (std::int64_t n = 0; n < 4; ++n) {
      for (std::int64_t i = 0; i < 3; ++i) v.push_back(x.ptr()[(n * 2 + c) * 3 + i]);
    }
    double mean = 0.0, squares = 0.0;
    for (double e : v) mean += e / 12.0;
    for (double e : v) squares += (e - mean) * (e - mean);
    const double old_mean = c == 0 ? 0.5 : -1.0, old_var = c == 0 ? 2.0 : 0.25;
    EXPECT_NEAR(running_mean.ptr()[c], 0.7 * old_mean + 0.3 * mean, 1e-6);
    EXPECT_NEAR(running_var.ptr()[c], 0.7 * old_var + 0.3 * squares / 11.0, 1e-6);
    for (std::int64_t n = 0; n < 4; ++n) {
      for (std::int64_t i = 0; i < 3; ++i) {
        const std::int64_t at = (n * 2 + c) * 3 + i;
        EXPECT_NEAR(y.ptr()[at], (x.ptr()[at] - mean) / std::sqrt(squares / 12.0 + 1e-5), 1e-5);
      }
    }
  }
}

TEST(BatchNormOpTest, VarianceStaysAccurateWhenTheMeanIsLarge) {
  Tensor x = random_uniform({64, 2, 5, 5}, -1, 1, 24);
  for (float& v : x.data()) v += 1e4f;
  Tensor running_mean = Tensor::zeros({2});
  Tensor running_var = Tensor::zeros({2});
  batch_norm(x, Tensor(), Tensor(), running_mean, running_var, true, 1.0f);
  for (std::int64_t c = 0; c < 2; ++c) {
    double mean = 0.0, squares = 0.0;
    for (std::int64_t n = 0; n < 64; ++n) {
      for (std::int64_t i = 0; i < 25; ++i) mean += x.ptr()[(n * 2 + c) * 25 + i] / 1600.0;
    }
    for (std::int64_t n = 0; n < 64; ++n) {
      for (std::int64_t i = 0; i < 25; ++i) {
        const double d = x.ptr()[(n * 2 + c) * 25 + i] - mean;
        squares += d * d;
      }
    }
    EXPECT_NEAR(running_mean.ptr()[c], mean, 1e-3);
    EXPECT_NEAR(running_var.ptr()[c], squares / 1599.0, 1e-4);
  }
}

TEST(BatchNormOpTest, EvalUsesRunningStatisticsAndLeavesThemAlone) {
  const Tensor x = Tensor::from({1, 2, 3, 4}, {2, 2});
  Tensor mean = Tensor::from({1.0f, -1.0f}, {2});
  Tensor var = Tensor::from({4.0f, 1.0f}, {2});
  const Tensor y = batch_norm(x, Tensor::from({2.0f, 1.0f}, {2}), Tensor::from({0.0f, 0.5f}, {2}),
                              mean, var, false, 0.1f, 0.0f);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{0.0f, 3.5f, 2.0f, 5.5f}));
  EXPECT_EQ(mean.to_vector(), (std::vector<float>{1.0f, -1.0f}));
  EXPECT_EQ(var.to_vector(), (std::vector<float>{4.0f, 1.0f}));
}

TEST(BatchNormOpTest, IsBitwiseTheSameAtOneAndTwoThreads) {
  const int saved = num_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor x = random_uniform({64, 4, 16, 16}, -1, 3, 13).set_requires_grad(true);
    Tensor gamma = random_uniform({4}, 0.5f, 1.5f, 14).set_requires_grad(true);
    Tensor beta = random_uniform({4}, -1, 1, 15).set_requires_grad(true);
    Tensor running_mean = Tensor::zeros({4});
    Tensor running_var = Tensor::ones({4});
    const Tensor y = batch_norm(x, gamma, beta, running_mean, running_var, true);
    sum(mul(y, random_uniform(y.shape(), -1, 1, 16))).backward();
    std::vector<float> all;
    for (const Tensor& t : {y, x.grad(), gamma.grad(), beta.grad(), running_mean, running_var}) {
      const auto v = t.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    results.push_back(all);
  }
  set_num_threads(saved);
  EXPECT_TRUE(results[0] == results[1]);
}

TEST(BatchNormOpTest, ErrorsNameTheShapes) {
  EXPECT_THROW(batch_norm(Tensor::zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
               ShapeError);
  EXPECT_THROW(batch_norm(Tensor::zeros({4}), Tensor(), Tensor(), Tensor(), Tensor(), true),
               ShapeError);
  EXPECT_THROW(batch_norm(Tensor::zeros({2, 3}), Tensor(), Tensor(), Tensor(), Tensor(), false),
               Error);
  try {
    batch_norm(Tensor::zeros({2, 3, 4}), Tensor::ones({4}), Tensor(), Tensor(), Tensor(), true);
    ADD_FAILURE() << "no ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "batch_norm: gamma [4] does not match input [2,3,4] with 3 channels");
  }
}

TEST(LayerNormOpTest, ForwardMatchesHandComputedValues) {
  // Row [1,2,3]: mean 2, variance 2/3. A constant row maps to beta.
  const Tensor y = layer_norm(Tensor::from({1, 2, 3, 10, 10, 10}, {2, 3}), {3}, Tensor(),
                              Tensor::from({0.5f, 0.5f, 0.5f}, {3}), 1e-5f);
  const auto a = static_cast<float>(1.0 / std::sqrt(2.0 / 3.0 + 1e-5));
  const std::vector<float> want{0.5f - a, 0.5f, 0.5f + a, 0.5f, 0.5f, 0.5f};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y.to_vector()[i], want[i], 1e-6);
}

TEST(LayerNormOpTest, GradientMatchesFiniteDifferences) {
  auto last = [](const std::vector<Tensor>& in) { return layer_norm(in[0], {5}, in[1], in[2]); };
  EXPECT_TRUE(
      gradcheck(last, {random_uniform({3, 2, 5}, -1, 1, 17), random_uniform({5}, 0.5f, 1.5f, 18),
                       random_uniform({5}, -1, 1, 19)}));
  auto two = [](const std::vector<Tensor>& in) { return layer_norm(in[0], {2, 3}, in[1], in[2]); };
  EXPECT_TRUE(
      gradcheck(two, {random_uniform({4, 2, 3}, -1, 1, 20), random_uniform({2, 3}, 0.5f, 1.5f, 21),
                      random_uniform({2, 3}, -1, 1, 22)}));
  auto plain = [](const std::vector<Tensor>& in) {
    return layer_norm(in[0], {4}, Tensor(), Tensor());
  };
  EXPECT_TRUE(gradcheck(plain, {random_uniform({3, 4}, -1, 1, 23)}));
}

TEST(LayerNormOpTest, ErrorsNameTheShapes) {
  try {
    layer_norm(Tensor::zeros({2, 3}), {2}, Tensor(), Tensor());
    ADD_FAILURE() << "no ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "layer_norm: normalized_shape [2] does not match the trailing axes of input [2,3]");
  }
  EXPECT_THROW(layer_norm(Tensor::zeros({2, 3}), {3}, Tensor::ones({2}), Tensor()), ShapeError);
}

}  // namespace
}  // namespace dither
