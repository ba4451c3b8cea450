#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;

TEST(ArithmeticTest, BinaryOpsBroadcastLikeNumPy) {
  const Tensor a = Tensor::from({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor row = Tensor::from({10, 20, 30}, {3});
  const Tensor col = Tensor::from({1, 2}, {2, 1});
  EXPECT_TRUE(tensor_is(add(a, row), {2, 3}, {11, 22, 33, 14, 25, 36}));
  EXPECT_TRUE(tensor_is(sub(a, col), {2, 3}, {0, 1, 2, 2, 3, 4}));
  EXPECT_TRUE(tensor_is(mul(col, row), {2, 3}, {10, 20, 30, 20, 40, 60}));
  EXPECT_TRUE(tensor_is(div(row, col), {2, 3}, {10, 20, 30, 5, 10, 15}));
  EXPECT_TRUE(tensor_is(mul(a, Tensor::scalar(2)), {2, 3}, {2, 4, 6, 8, 10, 12}));
}

TEST(ArithmeticTest, ScalarForms) {
  const Tensor a = Tensor::from({1, -2}, {2});
  EXPECT_TRUE(tensor_is(add(a, 1.0f), {2}, {2, -1}));
  EXPECT_TRUE(tensor_is(sub(a, 1.0f), {2}, {0, -3}));
  EXPECT_TRUE(tensor_is(mul(a, 3.0f), {2}, {3, -6}));
  EXPECT_TRUE(tensor_is(div(a, 2.0f), {2}, {0.5f, -1}));
  EXPECT_TRUE(tensor_is(rsub(1.0f, a), {2}, {0, 3}));
  EXPECT_TRUE(tensor_is(-a, {2}, {-1, 2}));
}

TEST(ArithmeticTest, BroadcastGradientsAreSummedBackToEachShape) {
  Tensor col = Tensor::from({1, 2}, {2, 1}).set_requires_grad(true);
  Tensor row = Tensor::from({10, 20, 30}, {3}).set_requires_grad(true);
  sum(mul(col, row)).backward();
  EXPECT_TRUE(tensor_is(col.grad(), {2, 1}, {60, 60}));
  EXPECT_TRUE(tensor_is(row.grad(), {3}, {3, 3, 3}));
}

TEST(ArithmeticTest, MismatchedShapesNameOpAndShapes) {
  EXPECT_TRUE(testing::throws_with<ShapeError>(
      [] {
        add(Tensor::zeros({2, 3}), Tensor::zeros({2}));
      },
      {"add", "[2,3]", "[2]"}));
  EXPECT_TRUE(testing::throws_with<ShapeError>(
      [] {
        div(Tensor::zeros({4, 1, 3}), Tensor::zeros({2, 2}));
      },
      {"div", "[4,1,3]", "[2,2]"}));
}

TEST(ArithmeticTest, EmptyTensorsBroadcastToEmpty) {
  EXPECT_TRUE(tensor_is(add(Tensor::zeros({0, 3}), Tensor::ones({3})), {0, 3}, {}));
}

}  // namespace
}  // namespace dither
