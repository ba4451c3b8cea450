#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;

TEST(SoftmaxTest, RowsAreNormalisedExponentials) {
  const Tensor x = Tensor::from({0, 1, 2, 5, 5, 5}, {2, 3});
  const float z = 1 + std::exp(1.0f) + std::exp(2.0f);
  EXPECT_TRUE(
      tensor_is(softmax(x), {2, 3},
                {1 / z, std::exp(1.0f) / z, std::exp(2.0f) / z, 1 / 3.0f, 1 / 3.0f, 1 / 3.0f}));
  EXPECT_TRUE(tensor_is(log_softmax(x), {2, 3},
                        {-std::log(z), 1 - std::log(z), 2 - std::log(z), -std::log(3.0f),
                         -std::log(3.0f), -std::log(3.0f)}));
}

TEST(SoftmaxTest, WorksAlongAnInnerAxis) {
  const Tensor x = Tensor::from({0, 3, 0, 3}, {2, 2});
  const float e = 1.0f / 2.0f;
  EXPECT_TRUE(tensor_is(softmax(x, 0), {2, 2}, {e, e, e, e}));
  EXPECT_TRUE(tensor_is(softmax(x, 1), softmax(x, -1).shape(), softmax(x, -1).to_vector()));
}

TEST(SoftmaxTest, HugeLogitsStayFinite) {
  const Tensor x = Tensor::from({1000, 0, -1000}, {1, 3});
  EXPECT_TRUE(tensor_is(softmax(x), {1, 3}, {1, 0, 0}));
  EXPECT_TRUE(tensor_is(log_softmax(x), {1, 3}, {0, -1000, -2000}));
}

TEST(SoftmaxTest, LogSoftmaxGradientOfTheSumVanishesWhenRowsSumToZero) {
  Tensor x = Tensor::from({1, 2, 3}, {1, 3}).set_requires_grad(true);
  // d/dx sum_i w_i log_softmax_i = w - softmax * sum(w); with w = [1, -1, 0] the second term is 0
  sum(mul(log_softmax(x), Tensor::from({1, -1, 0}, {1, 3}))).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {1, 3}, {1, -1, 0}));
}

TEST(SoftmaxTest, BadAxisNamesTheOp) {
  EXPECT_TRUE(testing::throws_with<ShapeError>(
      [] {
        softmax(Tensor::zeros({2, 3}), 2);
      },
      {"softmax", "axis 2"}));
}

}  // namespace
}  // namespace dither
