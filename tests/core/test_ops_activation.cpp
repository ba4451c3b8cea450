#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/ops.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;

const Tensor kX = Tensor::from({-2.0f, -0.5f, 0.0f, 0.5f, 2.0f}, {5});

TEST(ActivationTest, ReluAndLeakyRelu) {
  EXPECT_TRUE(tensor_is(relu(kX), {5}, {0, 0, 0, 0.5f, 2}));
  EXPECT_TRUE(tensor_is(leaky_relu(kX), {5}, {-0.02f, -0.005f, 0, 0.5f, 2}));
  EXPECT_TRUE(tensor_is(leaky_relu(kX, 0.5f), {5}, {-1, -0.25f, 0, 0.5f, 2}));
}

TEST(ActivationTest, ReluGradientIsZeroAtZero) {
  Tensor x = Tensor::from({-1.0f, 0.0f, 1.0f}, {3}).set_requires_grad(true);
  sum(relu(x)).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {3}, {0, 0, 1}));
}

TEST(ActivationTest, SigmoidAndTanhOnHandValues) {
  const float s = 1.0f / (1.0f + std::exp(-2.0f));
  EXPECT_TRUE(tensor_is(sigmoid(Tensor::from({-2.0f, 0.0f, 2.0f}, {3})), {3}, {1 - s, 0.5f, s}));
  EXPECT_TRUE(tensor_is(tanh(Tensor::from({-1.0f, 0.0f}, {2})), {2}, {std::tanh(-1.0f), 0}));
}

TEST(ActivationTest, SigmoidSaturatesWithoutOverflow) {
  EXPECT_TRUE(tensor_is(sigmoid(Tensor::from({-200.0f, 200.0f}, {2})), {2}, {0, 1}));
}

TEST(ActivationTest, GeluUsesTheExactErfForm) {
  // x * Phi(x): Phi(1) = 0.841344746, Phi(-1) = 0.158655254
  EXPECT_TRUE(tensor_is(gelu(Tensor::from({-1.0f, 0.0f, 1.0f}, {3})), {3},
                        {-0.158655254f, 0, 0.841344746f}));
}

TEST(ActivationTest, EluAndSeluUsePyTorchConstants) {
  const Tensor x = Tensor::from({-1.0f, 2.0f}, {2});
  EXPECT_TRUE(tensor_is(elu(x), {2}, {std::expm1(-1.0f), 2}));
  EXPECT_TRUE(tensor_is(elu(x, 2.0f), {2}, {2 * std::expm1(-1.0f), 2}));
  // torch.selu(torch.tensor([-1., 2.])) = [-1.1113, 2.1014]
  EXPECT_TRUE(tensor_is(selu(x), {2}, {-1.1113307f, 2.1014020f}));
}

TEST(ActivationTest, SoftplusIsLinearAboveTheThreshold) {
  const Tensor x = Tensor::from({-30.0f, 0.0f, 1.0f, 25.0f}, {4});
  EXPECT_TRUE(
      tensor_is(softplus(x), {4},
                {std::log1p(std::exp(-30.0f)), std::log(2.0f), std::log1p(std::exp(1.0f)), 25}));
  // beta 2: log(1 + e^(2x)) / 2; threshold 1 makes 2x = 2 > 1 linear
  EXPECT_TRUE(tensor_is(softplus(Tensor::from({0.0f, 1.0f}, {2}), 2.0f, 1.0f), {2},
                        {std::log(2.0f) / 2, 1}));
}

TEST(ActivationTest, SoftplusRejectsZeroBeta) {
  EXPECT_TRUE(testing::throws_with<Error>([] { softplus(kX, 0.0f); }, {"softplus", "beta"}));
}

}  // namespace
}  // namespace dither
