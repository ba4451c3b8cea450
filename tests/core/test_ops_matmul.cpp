#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;
using testing::throws_with;

TEST(MatmulTest, TwoDimensionalProduct) {
  const Tensor a = Tensor::from({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from({1, 0, 0, 1, 1, 1}, {3, 2});
  EXPECT_TRUE(tensor_is(matmul(a, b), {2, 2}, {4, 5, 10, 11}));
}

TEST(MatmulTest, BatchedWithOwnAndSharedRightOperand) {
  const Tensor a = Tensor::from({1, 2, 3, 4}, {2, 1, 2});
  const Tensor shared = Tensor::from({1, 1}, {2, 1});
  EXPECT_TRUE(tensor_is(matmul(a, shared), {2, 1, 1}, {3, 7}));
  const Tensor own = Tensor::from({1, 0, 0, 1}, {2, 2, 1});
  EXPECT_TRUE(tensor_is(matmul(a, own), {2, 1, 1}, {1, 4}));
}

TEST(MatmulTest, SharedRightOperandGradientSumsOverTheBatch) {
  Tensor a = Tensor::from({1, 2, 3, 4}, {2, 1, 2});
  Tensor b = Tensor::from({1, 1}, {2, 1}).set_requires_grad(true);
  sum(matmul(a, b)).backward();
  EXPECT_TRUE(tensor_is(b.grad(), {2, 1}, {4, 6}));
}

TEST(MatmulTest, LinearAddsBiasToEveryRow) {
  const Tensor x = Tensor::from({1, 2, 3, 4}, {2, 2});
  const Tensor w = Tensor::from({1, 0, 0, 1, 1, 1}, {3, 2});
  const Tensor b = Tensor::from({10, 20, 30}, {3});
  EXPECT_TRUE(tensor_is(linear(x, w, b), {2, 3}, {11, 22, 33, 13, 24, 37}));
  EXPECT_TRUE(tensor_is(linear(x, w, Tensor()), {2, 3}, {1, 2, 3, 3, 4, 7}));
}

TEST(MatmulTest, EmptyInnerDimensionGivesZerosOrTheBias) {
  EXPECT_TRUE(tensor_is(matmul(Tensor::ones({2, 0}), Tensor::ones({0, 2})), {2, 2}, {0, 0, 0, 0}));
  EXPECT_TRUE(tensor_is(linear(Tensor::ones({2, 0}), Tensor::ones({2, 0}), Tensor()), {2, 2},
                        {0, 0, 0, 0}));
  EXPECT_TRUE(tensor_is(linear(Tensor::ones({2, 0}), Tensor::ones({2, 0}), Tensor::ones({2})),
                        {2, 2}, {1, 1, 1, 1}));
}

TEST(MatmulTest, EmptyBatchGivesZeroParameterGradients) {
  Tensor w = Tensor::full({2, 3}, 5.0f).set_requires_grad(true);
  Tensor b = Tensor::full({3, 2}, 5.0f).set_requires_grad(true);
  sum(linear(Tensor::ones({0, 3}), w, Tensor())).backward();
  sum(matmul(Tensor::ones({0, 4, 3}), b)).backward();
  EXPECT_TRUE(tensor_is(w.grad(), {2, 3}, {0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(tensor_is(b.grad(), {3, 2}, {0, 0, 0, 0, 0, 0}));
}

TEST(MatmulTest, ShapeErrorsNameBothShapes) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        matmul(Tensor::zeros({2, 3}), Tensor::zeros({2, 3}));
      },
      {"matmul", "[2,3]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        matmul(Tensor::zeros({2, 2, 3}), Tensor::zeros({3, 3, 1}));
      },
      {"matmul", "[2,2,3]", "[3,3,1]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 2}), Tensor());
      },
      {"linear", "[2,3]", "[4,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        linear(Tensor::zeros({2, 3}), Tensor::zeros({4, 3}), Tensor::zeros({3}));
      },
      {"linear", "bias", "[3]"}));
}

}  // namespace
}  // namespace dither
