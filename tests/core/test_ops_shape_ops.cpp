#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;
using testing::throws_with;

Tensor iota(Shape shape) {
  return reshape(Tensor::arange(0, static_cast<float>(numel(shape))), shape);
}

TEST(ShapeOpsTest, ReshapeInfersOneSizeAndSharesStorage) {
  const Tensor x = iota({2, 6});
  const Tensor y = reshape(x, {3, -1});
  EXPECT_TRUE(tensor_is(y, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(y.ptr(), x.ptr());
}

TEST(ShapeOpsTest, ReshapeErrorsNameBothShapes) {
  const Tensor x = iota({2, 3});
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        reshape(x, {4, -1});
      },
      {"reshape", "[2,3]", "[4,-1]"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { reshape(x, {5}); }, {"reshape", "[2,3]", "[5]"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { reshape(x, {-1, -1}); }, {"reshape", "-1"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { reshape(x, {-2, -3}); }, {"reshape", "-2"}));
}

TEST(ShapeOpsTest, FlattenKeepsTheBatchAxisAndDoesNotCopy) {
  const Tensor x = iota({2, 3, 2, 2});
  const Tensor y = flatten(x);
  EXPECT_EQ(y.shape(), (Shape{2, 12}));
  EXPECT_EQ(y.ptr(), x.ptr());
  EXPECT_EQ(flatten(x, 0).shape(), (Shape{24}));
  EXPECT_EQ(flatten(x, -2).shape(), (Shape{2, 3, 4}));
  EXPECT_TRUE(throws_with<ShapeError>([] { flatten(Tensor::zeros({4})); }, {"flatten", "1"}));
}

TEST(ShapeOpsTest, UnsqueezeAndSqueeze) {
  const Tensor x = iota({2, 3});
  EXPECT_EQ(unsqueeze(x, 0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(unsqueeze(x, -1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(squeeze(iota({1, 2, 1, 3}), 2).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(squeeze(iota({1, 2, 1, 3})).shape(), (Shape{2, 3}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { squeeze(x, 1); }, {"squeeze", "[2,3]", "size 3"}));
}

TEST(ShapeOpsTest, TransposeAndPermuteMoveValues) {
  const Tensor x = iota({2, 3});
  EXPECT_TRUE(tensor_is(transpose(x, 0, 1), {3, 2}, {0, 3, 1, 4, 2, 5}));
  const Tensor y = iota({2, 3, 4});
  const Tensor p = permute(y, {2, 0, 1});
  ASSERT_EQ(p.shape(), (Shape{4, 2, 3}));
  // p[k][i][j] = y[i][j][k] = 12 i + 4 j + k
  for (std::int64_t k = 0; k < 4; ++k) {
    for (std::int64_t i = 0; i < 2; ++i) {
      for (std::int64_t j = 0; j < 3; ++j) {
        EXPECT_EQ(p.data()[static_cast<std::size_t>(k * 6 + i * 3 + j)],
                  static_cast<float>(12 * i + 4 * j + k));
      }
    }
  }
}

TEST(ShapeOpsTest, PermuteRejectsRepeatsAndWrongCounts) {
  const Tensor y = iota({2, 3, 4});
  EXPECT_TRUE(throws_with<ShapeError>([&] { permute(y, {0, 0, 1}); }, {"permute", "repeated"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { permute(y, {0, 1}); }, {"permute", "[2,3,4]"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { transpose(y, 0, 3); }, {"transpose", "3"}));
}

TEST(ShapeOpsTest, ConcatJoinsAlongAnyAxis) {
  const Tensor a = iota({2, 2});
  const Tensor b = add(iota({2, 1}), 10.0f);
  EXPECT_TRUE(tensor_is(concat({a, b}, 1), {2, 3}, {0, 1, 10, 2, 3, 11}));
  EXPECT_TRUE(tensor_is(concat({a, transpose(b, 0, 1)}, 0), {3, 2}, {0, 1, 2, 3, 10, 11}));
  EXPECT_TRUE(tensor_is(concat({a, Tensor::zeros({2, 0})}, -1), {2, 2}, {0, 1, 2, 3}));
}

TEST(ShapeOpsTest, ConcatErrorsNameTheMismatch) {
  EXPECT_TRUE(throws_with<ShapeError>([] { concat({}, 0); }, {"concat"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        concat({iota({2, 2}), iota({3, 2})}, 1);
      },
      {"concat", "tensor 1", "[3,2]", "[2,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        concat({iota({2, 2}), iota({4})}, 0);
      },
      {"concat", "rank", "[4]"}));
}

TEST(ShapeOpsTest, NarrowAndSliceTakeARange) {
  const Tensor x = iota({2, 4});
  EXPECT_TRUE(tensor_is(narrow(x, 1, 1, 2), {2, 2}, {1, 2, 5, 6}));
  EXPECT_TRUE(tensor_is(narrow(x, 1, -1, 1), {2, 1}, {3, 7}));
  EXPECT_TRUE(tensor_is(slice(x, 1, -3, -1), {2, 2}, {1, 2, 5, 6}));
  EXPECT_TRUE(tensor_is(slice(x, 0, 1, 100), {1, 4}, {4, 5, 6, 7}));
  EXPECT_TRUE(tensor_is(slice(x, 1, 3, 1), {2, 0}, {}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { narrow(x, 1, 3, 2); }, {"narrow", "3", "2", "[2,4]"}));
}

TEST(ShapeOpsTest, PadFollowsTorchOrderFromTheLastAxis) {
  const Tensor x = iota({2, 2});
  // last axis: 1 before, 0 after; first axis: 0 before, 1 after
  EXPECT_TRUE(tensor_is(pad(x, {1, 0, 0, 1}, 9.0f), {3, 3}, {9, 0, 1, 9, 2, 3, 9, 9, 9}));
  EXPECT_TRUE(tensor_is(pad(x, {0, 1}), {2, 3}, {0, 1, 0, 2, 3, 0}));
}

TEST(ShapeOpsTest, NegativePadsCrop) {
  EXPECT_TRUE(tensor_is(pad(iota({3, 3}), {-1, 0, 0, -2}), {1, 2}, {1, 2}));
  EXPECT_TRUE(throws_with<ShapeError>([] { pad(iota({2, 2}), {-2, -1}); }, {"pad", "[2,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { pad(iota({2}), {1, 1, 1}); }, {"pad", "[2]"}));
}

TEST(ShapeOpsTest, PadGradientIsTheCroppedGradient) {
  Tensor x = iota({2, 2}).clone().set_requires_grad(true);
  const Tensor w = iota({3, 4});
  sum(mul(pad(x, {1, 1, 0, 1}), w)).backward();
  // x[i][j] lands at padded [i][j + 1]: weights 1, 2, 5, 6
  EXPECT_TRUE(tensor_is(x.grad(), {2, 2}, {1, 2, 5, 6}));
}

TEST(ShapeOpsTest, ReshapeGradientHasTheInputShape) {
  Tensor x = iota({2, 3}).clone().set_requires_grad(true);
  sum(mul(reshape(x, {6}), iota({6}))).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {2, 3}, {0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace dither
