#include <gtest/gtest.h>

#include "core/error.h"
#include "core/random.h"
#include "core/tensor.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;
using testing::throws_with;

TEST(TensorTest, FactoriesFillShapeAndValues) {
  EXPECT_TRUE(tensor_is(Tensor::zeros({2, 2}), {2, 2}, {0, 0, 0, 0}));
  EXPECT_TRUE(tensor_is(Tensor::ones({3}), {3}, {1, 1, 1}));
  EXPECT_TRUE(tensor_is(Tensor::full({1, 2}, 2.5f), {1, 2}, {2.5f, 2.5f}));
  EXPECT_TRUE(tensor_is(Tensor::scalar(4), {}, {4}));
  EXPECT_TRUE(tensor_is(Tensor::from({1, 2, 3, 4, 5, 6}, {3, 2}), {3, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Tensor::empty({4, 0, 2}).numel(), 0);
}

TEST(TensorTest, ArangeIsHalfOpenLikeNumPy) {
  EXPECT_TRUE(tensor_is(Tensor::arange(0, 3), {3}, {0, 1, 2}));
  EXPECT_TRUE(tensor_is(Tensor::arange(1, 2, 0.25f), {4}, {1, 1.25f, 1.5f, 1.75f}));
  EXPECT_TRUE(tensor_is(Tensor::arange(3, 0, -1), {3}, {3, 2, 1}));
  EXPECT_TRUE(tensor_is(Tensor::arange(3, 0), {0}, {}));
  EXPECT_THROW(Tensor::arange(0, 1, 0), Error);
}

TEST(TensorTest, RandomFactoriesDependOnlyOnTheStream) {
  const RandomStream s(9, "tensor-test");
  EXPECT_EQ(Tensor::rand({50}, s).to_vector(), Tensor::rand({50}, s).to_vector());
  EXPECT_NE(Tensor::rand({50}, s).to_vector(), Tensor::rand({50}, s.child(1)).to_vector());
  const Tensor u = Tensor::rand({1000}, s, 2.0f, 3.0f);
  for (float v : u.data()) {
    ASSERT_GE(v, 2.0f);
    ASSERT_LT(v, 3.0f);
  }
  const Tensor n = Tensor::randn({1000}, s, 5.0f, 0.0f);
  EXPECT_TRUE(tensor_is(n, {1000}, std::vector<float>(1000, 5.0f)));
}

TEST(TensorTest, SameAsIsIdentityNotSharedStorage) {
  const Tensor a = Tensor::from({1.0f, 2.0f}, {2});
  const Tensor handle = a;
  const Tensor view = a.detach();
  EXPECT_TRUE(a.same_as(handle));
  EXPECT_EQ(view.ptr(), a.ptr());
  EXPECT_FALSE(a.same_as(view));
  EXPECT_FALSE(a.same_as(a.clone()));
  EXPECT_FALSE(a.same_as(Tensor()));
}

TEST(TensorTest, AccessorsAndAxes) {
  const Tensor t = Tensor::zeros({2, 3, 4});
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_TRUE(throws_with<ShapeError>([&] { t.size(3); }, {"axis 3", "rank 3"}));
  EXPECT_FLOAT_EQ(Tensor::from({7}, {1, 1}).item(), 7.0f);
}

TEST(TensorTest, BadConstructionAndAccessThrow) {
  EXPECT_TRUE(throws_with<ShapeError>(
      [] {
        Tensor::from({1, 2, 3}, {2, 2});
      },
      {"Tensor::from", "3", "[2,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { Tensor::zeros({2, -1}); }, {"negative", "[2,-1]"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { Tensor::zeros({2}).item(); }, {"item", "[2]"}));
  EXPECT_THROW(Tensor().numel(), Error);
  EXPECT_FALSE(Tensor().defined());
}

TEST(TensorTest, DetachSharesStorageAndCloneCopies) {
  Tensor t = Tensor::from({1, 2}, {2});
  Tensor d = t.detach();
  Tensor c = t.clone();
  t.data()[0] = 5.0f;
  EXPECT_EQ(d.data()[0], 5.0f);
  EXPECT_EQ(c.data()[0], 1.0f);
  EXPECT_FALSE(d.requires_grad());
}

TEST(TensorTest, SetGradChecksTheShape) {
  Tensor t = Tensor::zeros({2}).set_requires_grad(true);
  t.set_grad(Tensor::ones({2}));
  EXPECT_TRUE(tensor_is(t.grad(), {2}, {1, 1}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { t.set_grad(Tensor::ones({3})); }, {"[3]", "[2]"}));
  t.zero_grad();
  EXPECT_FALSE(t.grad().defined());
}

}  // namespace
}  // namespace dither
