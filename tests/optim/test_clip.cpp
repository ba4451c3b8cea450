#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/parallel.h"
#include "optim/clip.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::expect_close;
using testing::parameter;
using testing::set_gradient;

double grad_norm(const std::vector<Tensor>& params) {
  double s = 0.0;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    for (float g : p.grad().data()) s += static_cast<double>(g) * g;
  }
  return std::sqrt(s);
}

TEST(ClipTest, ClipGradNormScalesToTheMaxNormAndReturnsThePreClipNorm) {
  Tensor a = parameter({0.0f, 0.0f});
  Tensor b = parameter({0.0f});
  set_gradient(a, {3.0f, 0.0f});
  set_gradient(b, {-4.0f});
  const double norm = clip_grad_norm({a, b}, 1.0);
  EXPECT_DOUBLE_EQ(norm, 5.0);
  const double scale = 1.0 / (5.0 + 1e-6);
  expect_close(a.grad(), {3.0 * scale, 0.0});
  expect_close(b.grad(), {-4.0 * scale});
  EXPECT_NEAR(grad_norm({a, b}), 1.0, 1e-6);
}

TEST(ClipTest, ClipGradNormLeavesSmallGradientsAlone) {
  Tensor a = parameter({0.0f, 0.0f});
  set_gradient(a, {0.3f, -0.4f});
  EXPECT_NEAR(clip_grad_norm({a}, 1.0), 0.5, 1e-7);
  EXPECT_EQ(a.grad().to_vector(), std::vector<float>({0.3f, -0.4f}));
}

TEST(ClipTest, ParametersWithoutGradientsAreSkipped) {
  Tensor a = parameter({0.0f});
  Tensor b = parameter({0.0f});
  set_gradient(a, {2.0f});
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 1.0), 2.0);
  EXPECT_FALSE(b.grad().defined());
  clip_grad_value({a, b}, 0.5);
  EXPECT_FALSE(b.grad().defined());
}

TEST(ClipTest, LargeGradientNormIsTheExactDoubleSum) {
  const std::size_t n = 3 * static_cast<std::size_t>(kGrainSize) + 7;  // several chunks
  std::vector<float> g(n);
  double squares = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = static_cast<float>(i % 11) * 0.25f - 1.0f;
    squares += static_cast<double>(g[i]) * g[i];
  }
  Tensor p = parameter(std::vector<float>(n, 0.0f));
  set_gradient(p, g);
  const double norm = clip_grad_norm({p}, 2.0);
  EXPECT_NEAR(norm, std::sqrt(squares), 1e-9 * std::sqrt(squares));
  EXPECT_NEAR(grad_norm({p}), 2.0, 1e-5);
}

TEST(ClipTest, ClipGradValueClampsEachElement) {
  Tensor a = parameter({0.0f, 0.0f, 0.0f, 0.0f});
  set_gradient(a, {-3.0f, -0.25f, 0.5f, 2.0f});
  clip_grad_value({a}, 0.5);
  EXPECT_EQ(a.grad().to_vector(), std::vector<float>({-0.5f, -0.25f, 0.5f, 0.5f}));
}

TEST(ClipTest, NegativeLimitsAreRejected) {
  Tensor a = parameter({0.0f});
  set_gradient(a, {1.0f});
  try {
    clip_grad_norm({a}, -1.0);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "clip_grad_norm: max_norm must be >= 0, got -1");
  }
  EXPECT_THROW(clip_grad_value({a}, -0.1), ConfigError);
  EXPECT_EQ(a.grad().item(), 1.0f);
}

}  // namespace
}  // namespace dither
