#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/pool.h"
#include "core/ops/reduce.h"
#include "core/random.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::gradcheck;
using testing::random_uniform;

// Distinct values 0.1 apart in a shuffled order: a finite-difference step never changes which
// element is a window's maximum.
Tensor distinct_values(const Shape& shape, std::uint64_t seed) {
  Tensor t = Tensor::empty(shape);
  const auto order = RandomStream(seed, "pool-test").permutation(t.numel());
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    t.ptr()[i] = 0.1f * static_cast<float>(order[static_cast<std::size_t>(i)]) - 2.0f;
  }
  return t;
}

const Tensor kGrid =
    Tensor::from({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 1, 4, 4});

TEST(MaxPool2dTest, ForwardMatchesHandComputedValues) {
  EXPECT_EQ(max_pool2d(kGrid, {2, 2}, {2, 2}).to_vector(), (std::vector<float>{6, 8, 14, 16}));
  // Padding 1 adds -inf borders: windows [1], [2,3], [4] on the first row, and so on.
  const Tensor padded = max_pool2d(kGrid, {2, 2}, {2, 2}, {1, 1});
  EXPECT_EQ(padded.shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(padded.to_vector(), (std::vector<float>{1, 3, 4, 9, 11, 12, 13, 15, 16}));
}

TEST(MaxPool2dTest, GradientGoesToTheFirstMaximum) {
  Tensor x = Tensor::from({5, 5, 5, 5}, {1, 1, 2, 2}).set_requires_grad(true);
  sum(max_pool2d(x, {2, 2}, {2, 2})).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1, 0, 0, 0}));
}

TEST(MaxPool2dTest, OverlappingWindowsAddTheirGradients) {
  Tensor x = Tensor::from({0, 0, 0, 0, 9, 0, 0, 0, 0}, {1, 1, 3, 3}).set_requires_grad(true);
  sum(max_pool2d(x, {2, 2}, {1, 1})).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 0, 0, 0, 4, 0, 0, 0, 0}));
}

TEST(MaxPool2dTest, MatchesDirectLoopsForwardAndBackward) {
  struct Config {
    Size2 kernel, stride, padding;
  };
  for (const Config& k : {Config{{3, 3}, {3, 3}, {1, 1}}, Config{{2, 3}, {1, 3}, {1, 1}},
                          Config{{3, 2}, {2, 2}, {1, 0}}, Config{{1, 1}, {2, 1}, {0, 0}}}) {
    Tensor x = distinct_values({2, 3, 7, 8}, 7).set_requires_grad(true);
    const Tensor y = max_pool2d(x, k.kernel, k.stride, k.padding);
    const Tensor g = random_uniform(y.shape(), -1, 1, 8);
    sum(mul(y, g)).backward();
    const std::int64_t ho = y.size(2), wo = y.size(3);
    std::vector<float> want_y(static_cast<std::size_t>(y.numel()));
    std::vector<float> want_gx(static_cast<std::size_t>(x.numel()), 0.0f);
    for (std::int64_t plane = 0; plane < 6; ++plane) {
      for (std::int64_t oh = 0; oh < ho; ++oh) {
        for (std::int64_t ow = 0; ow < wo; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          std::int64_t at = -1;
          for (std::int64_t i = 0; i < k.kernel[0]; ++i) {
            for (std::int64_t j = 0; j < k.kernel[1]; ++j) {
              const std::int64_t h = oh * k.stride[0] - k.padding[0] + i;
              const std::int64_t w = ow * k.stride[1] - k.padding[1] + j;
              if (h < 0 || h >= 7 || w < 0 || w >= 8) continue;
              const std::int64_t idx = (plane * 7 + h) * 8 + w;
              if (x.ptr()[idx] > best) {
                best = x.ptr()[idx];
                at = idx;
              }
            }
          }
          const std::int64_t o = (plane * ho + oh) * wo + ow;
          want_y[static_cast<std::size_t>(o)] = best;
          want_gx[static_cast<std::size_t>(at)] += g.ptr()[o];
        }
      }
    }
    EXPECT_EQ(y.to_vector(), want_y);
    EXPECT_EQ(x.grad().to_vector(), want_gx);
  }
}

TEST(MaxPool2dTest, PropagatesNaNAndHandlesWindowsOfMinusInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from({1, nan, 3, 4, -inf, -inf, -inf, -inf}, {1, 2, 2, 2});
  x.set_requires_grad(true);
  const Tensor y = max_pool2d(x, {2, 2}, {2, 2});
  EXPECT_TRUE(std::isnan(y.to_vector()[0]));
  EXPECT_EQ(y.to_vector()[1], -inf);
  sum(mul(y, Tensor::ones({1, 2, 1, 1}))).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 1, 0, 0, 1, 0, 0, 0}));
}

TEST(MaxPool2dTest, GradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) { return max_pool2d(in[0], {3, 2}, {2, 1}, {1, 1}); };
  EXPECT_TRUE(gradcheck(op, {distinct_values({2, 2, 5, 4}, 1)}));
}

TEST(AvgPool2dTest, ForwardMatchesHandComputedValues) {
  EXPECT_EQ(avg_pool2d(kGrid, {2, 2}, {2, 2}).to_vector(),
            (std::vector<float>{3.5f, 5.5f, 11.5f, 13.5f}));
  // The corner window {1} divides by 4 with count_include_pad, by 1 without.
  EXPECT_FLOAT_EQ(avg_pool2d(kGrid, {2, 2}, {2, 2}, {1, 1}, true).to_vector()[0], 0.25f);
  EXPECT_FLOAT_EQ(avg_pool2d(kGrid, {2, 2}, {2, 2}, {1, 1}, false).to_vector()[0], 1.0f);
  EXPECT_FLOAT_EQ(avg_pool2d(kGrid, {2, 2}, {2, 2}, {1, 1}, false).to_vector()[1], 2.5f);
}

TEST(AvgPool2dTest, GradientMatchesFiniteDifferences) {
  for (bool include : {true, false}) {
    auto op = [include](const std::vector<Tensor>& in) {
      return avg_pool2d(in[0], {3, 2}, {2, 1}, {1, 1}, include);
    };
    EXPECT_TRUE(gradcheck(op, {random_uniform({2, 2, 5, 4}, -1, 1, 2)})) << include;
  }
}

TEST(GlobalAvgPool2dTest, ForwardAndGradient) {
  const Tensor out = global_avg_pool2d(kGrid);
  EXPECT_EQ(out.shape(), (Shape{1, 1}));
  EXPECT_FLOAT_EQ(out.item(), 8.5f);
  auto op = [](const std::vector<Tensor>& in) { return global_avg_pool2d(in[0]); };
  EXPECT_TRUE(gradcheck(op, {random_uniform({2, 3, 3, 3}, -1, 1, 3)}));
}

TEST(PoolTest, ErrorsNameTheOpAndTheShapes) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const ShapeError& e) {
      return std::string(e.what());
    }
    return std::string("no ShapeError");
  };
  EXPECT_EQ(message([] {
              max_pool2d(kGrid, {2, 2}, {2, 2}, {2, 0});
            }),
            "max_pool2d: padding [2,0] must be between 0 and half the kernel [2,2]");
  EXPECT_EQ(message([] {
              avg_pool2d(Tensor::zeros({4, 4}), {2, 2}, {2, 2});
            }),
            "avg_pool2d: expected input [N,C,H,W], got [4,4]");
  EXPECT_EQ(message([] {
              max_pool2d(kGrid, {5, 1}, {1, 1});
            }),
            "max_pool2d: kernel [5,1] is larger than input [1,1,4,4] with padding [0,0]");
  EXPECT_EQ(message([] {
              avg_pool2d(kGrid, {2, 2}, {0, 2});
            }),
            "avg_pool2d: stride must be positive, got [0,2]");
  EXPECT_EQ(message([] {
              global_avg_pool2d(Tensor::zeros({2, 3, 4}));
            }),
            "global_avg_pool2d: expected input [N,C,H,W], got [2,3,4]");
}

}  // namespace
}  // namespace dither
