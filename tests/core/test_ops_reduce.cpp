#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;
using testing::throws_with;

const Tensor kX = Tensor::from({1, 5, 3, 4, 2, 6}, {2, 3});

TEST(ReduceTest, SumAndMeanOverAxes) {
  EXPECT_TRUE(tensor_is(sum(kX), {}, {21}));
  EXPECT_TRUE(tensor_is(sum(kX, {0}), {3}, {5, 7, 9}));
  EXPECT_TRUE(tensor_is(sum(kX, {-1}, true), {2, 1}, {9, 12}));
  EXPECT_TRUE(tensor_is(sum(kX, {0, 1}), {}, {21}));
  EXPECT_TRUE(tensor_is(mean(kX), {}, {3.5f}));
  EXPECT_TRUE(tensor_is(mean(kX, {1}), {2}, {3, 4}));
  EXPECT_TRUE(throws_with<ShapeError>([] { sum(kX, {2}); }, {"sum", "axis 2"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { mean(Tensor::zeros({0})); }, {"mean", "[0]"}));
}

TEST(ReduceTest, VarIsUnbiasedByDefault) {
  // rows [1,5,3] and [4,2,6]: means 3 and 4, squared deviations 8 and 8
  EXPECT_TRUE(tensor_is(var(kX, {1}), {2}, {4, 4}));
  EXPECT_TRUE(tensor_is(var(kX, {1}, true, 0), {2, 1}, {8 / 3.0f, 8 / 3.0f}));
  // all six: mean 3.5, squared deviations 6.25+2.25+0.25+0.25+2.25+6.25 = 17.5
  EXPECT_TRUE(tensor_is(var(kX), {}, {3.5f}));
}

TEST(ReduceTest, VarWithoutDegreesOfFreedomThrows) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        var(Tensor::ones({3, 1}), {1});
      },
      {"var", "[3,1]", "correction 1"}));
}

TEST(ReduceTest, MaxAndArgmaxTakeTheFirstLargest) {
  const Tensor x = Tensor::from({1, 7, 7, 4, 2, 0}, {2, 3});
  EXPECT_TRUE(tensor_is(max(x, 1), {2}, {7, 4}));
  EXPECT_TRUE(tensor_is(argmax(x, 1), {2}, {1, 0}));
  EXPECT_TRUE(tensor_is(max(x, 0, true), {1, 3}, {4, 7, 7}));
  EXPECT_TRUE(tensor_is(argmax(x, -2, true), {1, 3}, {1, 0, 0}));
}

TEST(ReduceTest, MaxGradientGoesToTheFirstLargestOnly) {
  Tensor x = Tensor::from({1, 7, 7, 4, 2, 0}, {2, 3}).set_requires_grad(true);
  sum(max(x, 1)).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {2, 3}, {0, 1, 0, 1, 0, 0}));
}

TEST(ReduceTest, MaxPropagatesNanAndRejectsEmptyAxes) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(tensor_is(max(Tensor::from({1, nan, 3}, {3}), 0), {}, {nan}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        max(Tensor::zeros({2, 0}), 1);
      },
      {"max", "[2,0]", "empty"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { argmax(Tensor::zeros({0}), 0); }, {"argmax", "[0]"}));
}

TEST(ReduceTest, LogSumExpIsStableForHugeAndInfiniteInputs) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = Tensor::from({1000, 1000, 0, 0, -inf, -inf}, {3, 2});
  EXPECT_TRUE(tensor_is(logsumexp(x, 1), {3}, {1000 + std::log(2.0f), std::log(2.0f), -inf}));
  EXPECT_TRUE(tensor_is(logsumexp(Tensor::from({1, inf}, {2}), 0, true), {1}, {inf}));
}

TEST(ReduceTest, LogSumExpGradientIsSoftmax) {
  Tensor x = Tensor::from({0, std::log(3.0f)}, {2}).set_requires_grad(true);
  logsumexp(x, 0).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {2}, {0.25f, 0.75f}));
}

TEST(ReduceTest, BroadcastToRepeatsAndChecksShapes) {
  EXPECT_TRUE(
      tensor_is(broadcast_to(Tensor::from({1, 2}, {2, 1}), {2, 3}), {2, 3}, {1, 1, 1, 2, 2, 2}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        broadcast_to(Tensor::zeros({2, 3}), {3});
      },
      {"broadcast_to", "[2,3]", "[3]"}));
}

}  // namespace
}  // namespace dither
