#include <gtest/gtest.h>

#include <cmath>

#include "augment/fgsm.h"
#include "core/random.h"

namespace dither {
namespace {

TEST(FgsmTest, StepsEpsAlongTheGradientSignInsideTheValidRange) {
  const Tensor x = Tensor::rand({1000}, RandomStream(1, "x"));
  const Tensor g = Tensor::randn({1000}, RandomStream(2, "g"));
  const float eps = 0.1f;
  const Tensor adv = fgsm_perturb(x, g, eps, 0.0f, 1.0f);
  for (std::int64_t i = 0; i < 1000; ++i) {
    const float xi = x.data()[i];
    const float ai = adv.data()[i];
    ASSERT_GE(ai, 0.0f);
    ASSERT_LE(ai, 1.0f);
    ASSERT_LE(std::abs(ai - xi), eps + 1e-6f);  // inside the eps ball
    const float expected = std::clamp(xi + (g.data()[i] > 0 ? eps : -eps), 0.0f, 1.0f);
    ASSERT_FLOAT_EQ(ai, expected);
  }
}

TEST(FgsmTest, ZeroGradientLeavesTheInput) {
  const Tensor x = Tensor::from({0.2f, 0.8f}, {2});
  EXPECT_EQ(fgsm_perturb(x, Tensor::zeros({2}), 0.3f, 0.0f, 1.0f).to_vector(), x.to_vector());
}

}  // namespace
}  // namespace dither
