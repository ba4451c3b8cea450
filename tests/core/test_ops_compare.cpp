#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;

TEST(CompareTest, MaximumAndMinimumBroadcast) {
  const Tensor a = Tensor::from({1, 5, 3, 4}, {2, 2});
  const Tensor b = Tensor::from({2, 4}, {2});
  EXPECT_TRUE(tensor_is(maximum(a, b), {2, 2}, {2, 5, 3, 4}));
  EXPECT_TRUE(tensor_is(minimum(a, b), {2, 2}, {1, 4, 2, 4}));
}

TEST(CompareTest, TiesSplitTheGradientEvenly) {
  Tensor a = Tensor::from({1, 2, 3}, {3}).set_requires_grad(true);
  Tensor b = Tensor::from({2, 2, 2}, {3}).set_requires_grad(true);
  sum(maximum(a, b)).backward();
  EXPECT_TRUE(tensor_is(a.grad(), {3}, {0, 0.5f, 1}));
  EXPECT_TRUE(tensor_is(b.grad(), {3}, {1, 0.5f, 0}));
}

TEST(CompareTest, MinimumGradientGoesToTheSmallerAndSumsOverBroadcast) {
  Tensor a = Tensor::from({1, 5, 3, 4}, {2, 2}).set_requires_grad(true);
  Tensor b = Tensor::from({2, 4}, {2}).set_requires_grad(true);
  sum(minimum(a, b)).backward();
  EXPECT_TRUE(tensor_is(a.grad(), {2, 2}, {1, 0, 0, 0.5f}));
  EXPECT_TRUE(tensor_is(b.grad(), {2}, {1, 1.5f}));
}

TEST(CompareTest, MaximumPropagatesNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor a = Tensor::from({nan, 1.0f}, {2});
  const Tensor b = Tensor::from({1.0f, nan}, {2});
  EXPECT_TRUE(tensor_is(maximum(a, b), {2}, {nan, nan}));
  EXPECT_TRUE(tensor_is(minimum(a, b), {2}, {nan, nan}));
}

TEST(CompareTest, WherePicksByMaskWithBroadcasting) {
  const Tensor cond = Tensor::from({1, 0, 0, 2}, {2, 2});
  const Tensor a = Tensor::from({10, 20}, {2});
  const Tensor b = Tensor::scalar(-1);
  EXPECT_TRUE(tensor_is(where(cond, a, b), {2, 2}, {10, -1, -1, 20}));
}

TEST(CompareTest, WhereRoutesGradientAndGivesNoneToTheMask) {
  Tensor cond = Tensor::from({1, 0, 1}, {3}).set_requires_grad(true);
  Tensor a = Tensor::from({1, 2, 3}, {3}).set_requires_grad(true);
  Tensor b = Tensor::from({5}, {1}).set_requires_grad(true);
  sum(where(cond, a, b)).backward();
  EXPECT_TRUE(tensor_is(a.grad(), {3}, {1, 0, 1}));
  EXPECT_TRUE(tensor_is(b.grad(), {1}, {1}));
  EXPECT_FALSE(cond.grad().defined());
}

TEST(CompareTest, ShapesThatDoNotBroadcastNameTheOp) {
  const Tensor a = Tensor::zeros({2, 3});
  const Tensor b = Tensor::zeros({4});
  EXPECT_TRUE(
      testing::throws_with<ShapeError>([&] { maximum(a, b); }, {"maximum", "[2,3]", "[4]"}));
  EXPECT_TRUE(testing::throws_with<ShapeError>([&] { where(b, a, a); }, {"where", "[2,3]", "[4]"}));
}

}  // namespace
}  // namespace dither
