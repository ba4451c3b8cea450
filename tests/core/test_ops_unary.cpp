#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;

const Tensor kX = Tensor::from({-2.0f, -0.5f, 0.0f, 0.5f, 2.0f, 4.0f}, {2, 3});

TEST(UnaryTest, ExpLogAndSqrtMatchTheStandardLibrary) {
  const Tensor pos = Tensor::from({0.25f, 1.0f, 4.0f}, {3});
  EXPECT_TRUE(tensor_is(exp(pos), {3}, {std::exp(0.25f), std::exp(1.0f), std::exp(4.0f)}));
  EXPECT_TRUE(tensor_is(log(pos), {3}, {std::log(0.25f), 0.0f, std::log(4.0f)}));
  EXPECT_TRUE(tensor_is(sqrt(pos), {3}, {0.5f, 1.0f, 2.0f}));
}

TEST(UnaryTest, LogOfZeroIsMinusInfinityAndNegativeIsNan) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(tensor_is(log(Tensor::from({0.0f, -1.0f}, {2})), {2}, {-inf, nan}));
}

TEST(UnaryTest, PowSquareAbsAndSignOnHandValues) {
  EXPECT_TRUE(tensor_is(pow(kX, 2.0f), {2, 3}, {4, 0.25f, 0, 0.25f, 4, 16}));
  EXPECT_TRUE(tensor_is(pow(Tensor::from({4.0f, 9.0f}, {2}), 0.5f), {2}, {2, 3}));
  EXPECT_TRUE(tensor_is(square(kX), {2, 3}, {4, 0.25f, 0, 0.25f, 4, 16}));
  EXPECT_TRUE(tensor_is(abs(kX), {2, 3}, {2, 0.5f, 0, 0.5f, 2, 4}));
  EXPECT_TRUE(tensor_is(sign(kX), {2, 3}, {-1, -1, 0, 1, 1, 1}));
}

TEST(UnaryTest, ClampLimitsBothSides) {
  EXPECT_TRUE(tensor_is(clamp(kX, -1.0f, 1.0f), {2, 3}, {-1, -0.5f, 0, 0.5f, 1, 1}));
}

TEST(UnaryTest, ClampGradientIsOneStrictlyInsideOnly) {
  Tensor x = Tensor::from({-2.0f, -1.0f, 0.0f, 1.0f, 3.0f}, {5}).set_requires_grad(true);
  sum(clamp(x, -1.0f, 1.0f)).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {5}, {0, 0, 1, 0, 0}));
}

TEST(UnaryTest, ClampWithCrossedBoundsThrows) {
  EXPECT_TRUE(
      testing::throws_with<Error>([] { clamp(kX, 1.0f, -1.0f); }, {"clamp", "1", "-1", "[2,3]"}));
}

TEST(UnaryTest, SignAndAbsGiveZeroGradientAtZero) {
  Tensor x = Tensor::from({-3.0f, 0.0f, 3.0f}, {3}).set_requires_grad(true);
  sum(add(sign(x), abs(x))).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {3}, {-1, 0, 1}));
}

TEST(UnaryTest, PowWithExponentZeroHasZeroGradientAtZero) {
  Tensor x = Tensor::from({0.0f, 2.0f}, {2}).set_requires_grad(true);
  sum(pow(x, 0.0f)).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {2}, {0, 0}));
}

TEST(UnaryTest, EmptyAndScalarTensorsKeepTheirShape) {
  EXPECT_TRUE(tensor_is(exp(Tensor::zeros({0, 3})), {0, 3}, {}));
  EXPECT_TRUE(tensor_is(square(Tensor::scalar(3.0f)), {}, {9}));
}

}  // namespace
}  // namespace dither
