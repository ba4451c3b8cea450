#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/conv.h"
#include "core/ops/reduce.h"
#include "core/parallel.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::gradcheck;
using testing::random_uniform;

struct Config {
  Shape x, w;
  Size2 stride{1, 1}, padding{0, 0}, dilation{1, 1};
};

// Direct loops over the definition: out[n,o,oh,ow] = b[o] + sum w[o,c,i,j] x[n,c,ih,iw].
// Calls visit(x index, w index, out index) for every product that lands inside the input.
template <class Visit>
void for_each_tap(const Config& k, const Visit& visit) {
  const std::int64_t n_ = k.x[0], c_ = k.x[1], h_ = k.x[2], w_ = k.x[3];
  const std::int64_t o_ = k.w[0], kh = k.w[2], kw = k.w[3];
  const std::int64_t ho = window_output_size(h_, kh, k.stride[0], k.padding[0], k.dilation[0]);
  const std::int64_t wo = window_output_size(w_, kw, k.stride[1], k.padding[1], k.dilation[1]);
  for (std::int64_t n = 0; n < n_; ++n)
    for (std::int64_t o = 0; o < o_; ++o)
      for (std::int64_t oh = 0; oh < ho; ++oh)
        for (std::int64_t ow = 0; ow < wo; ++ow)
          for (std::int64_t c = 0; c < c_; ++c)
            for (std::int64_t i = 0; i < kh; ++i)
              for (std::int64_t j = 0; j < kw; ++j) {
                const std::int64_t ih = oh * k.stride[0] - k.padding[0] + i * k.dilation[0];
                const std::int64_t iw = ow * k.stride[1] - k.padding[1] + j * k.dilation[1];
                if (ih < 0 || ih >= h_ || iw < 0 || iw >= w_) continue;
                visit(((n * c_ + c) * h_ + ih) * w_ + iw, ((o * c_ + c) * kh + i) * kw + j,
                      ((n * o_ + o) * ho + oh) * wo + ow);
              }
}

TEST(WindowTest, TapRangeKeepsOutputsWhoseTapLandsInside) {
  // Output o reads 2 o - 1 + offset of an input of 5 (stride 2, padding 1, 3 outputs).
  EXPECT_EQ(window_tap_range(0, 2, 1, 5, 3), (std::pair<std::int64_t, std::int64_t>{1, 3}));
  EXPECT_EQ(window_tap_range(2, 2, 1, 5, 3), (std::pair<std::int64_t, std::int64_t>{0, 2}));
  EXPECT_EQ(window_tap_range(1, 1, 0, 4, 3), (std::pair<std::int64_t, std::int64_t>{0, 3}));
  EXPECT_EQ(window_tap_range(9, 1, 0, 4, 3), (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(window_output_size(5, 3, 2, 1), 3);
  EXPECT_EQ(window_output_size(9, 3, 2, 1, 2), 4);
  // Windows that do not fit: floor((2 - 3) / 2) + 1 = 0 and floor((2 - 5) / 2) + 1 = -1, where
  // truncation toward zero said 1 and 0.
  EXPECT_EQ(window_output_size(2, 3, 2, 0), 0);
  EXPECT_EQ(window_output_size(2, 5, 2, 0), -1);
  EXPECT_EQ(window_output_size(1, 3, 1, 0), -1);
}

TEST(Conv2dTest, ForwardMatchesHandComputedValues) {
  const Tensor x = Tensor::arange(1.0f, 10.0f).clone();
  const Tensor out = conv2d(Tensor::from(x.data(), {1, 1, 3, 3}), Tensor::ones({1, 1, 2, 2}),
                            Tensor::from({0.5f}, {1}));
  EXPECT_EQ(out.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(out.to_vector(), (std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f}));
}

TEST(Conv2dTest, MatchesDirectConvolutionForwardAndBackward) {
  const std::vector<Config> configs = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}},
      {{3, 2, 9, 8}, {5, 2, 2, 3}, {2, 1}, {1, 0}, {2, 1}},
      {{37, 2, 5, 5}, {3, 2, 1, 1}},                          // 1x1: the direct path, uneven chunks
      {{20, 4, 6, 7}, {2, 4, 3, 2}, {2, 3}, {2, 1}, {1, 2}},  // padding wider than a stride
      {{1, 1, 4, 4}, {1, 1, 4, 4}, {1, 1}, {0, 0}, {1, 1}},   // kernel as large as the input
  };
  for (std::size_t t = 0; t < configs.size(); ++t) {
    const Config& k = configs[t];
    SCOPED_TRACE("config " + std::to_string(t));
    Tensor x = random_uniform(k.x, -1.0f, 1.0f, 10 + t).set_requires_grad(true);
    Tensor w = random_uniform(k.w, -1.0f, 1.0f, 20 + t).set_requires_grad(true);
    Tensor b = random_uniform({k.w[0]}, -1.0f, 1.0f, 30 + t).set_requires_grad(true);
    const Tensor out = conv2d(x, w, b, k.stride, k.padding, k.dilation);
    const Tensor g = random_uniform(out.shape(), -1.0f, 1.0f, 40 + t);
    sum(mul(out, g)).backward();

    std::vector<double> want(static_cast<std::size_t>(out.numel()));
    std::vector<double> gx(static_cast<std::size_t>(x.numel())),
        gw(static_cast<std::size_t>(w.numel())), gb(static_cast<std::size_t>(b.numel()));
    const std::int64_t per_channel = out.numel() / (k.x[0] * k.w[0]);
    for (std::int64_t i = 0; i < out.numel(); ++i) {
      const std::int64_t o = i / per_channel % k.w[0];
      want[static_cast<std::size_t>(i)] = b.ptr()[o];
      gb[static_cast<std::size_t>(o)] += g.ptr()[i];
    }
    for_each_tap(k, [&](std::int64_t xi, std::int64_t wi, std::int64_t oi) {
      want[static_cast<std::size_t>(oi)] += static_cast<double>(x.ptr()[xi]) * w.ptr()[wi];
      gx[static_cast<std::size_t>(xi)] += static_cast<double>(g.ptr()[oi]) * w.ptr()[wi];
      gw[static_cast<std::size_t>(wi)] += static_cast<double>(g.ptr()[oi]) * x.ptr()[xi];
    });
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out.ptr()[i], want[i], 1e-4);
    for (std::size_t i = 0; i < gx.size(); ++i) EXPECT_NEAR(x.grad().ptr()[i], gx[i], 1e-4);
    for (std::size_t i = 0; i < gw.size(); ++i) EXPECT_NEAR(w.grad().ptr()[i], gw[i], 1e-3);
    for (std::size_t i = 0; i < gb.size(); ++i) EXPECT_NEAR(b.grad().ptr()[i], gb[i], 1e-3);
  }
}

TEST(Conv2dTest, GradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) {
    return conv2d(in[0], in[1], in[2], {2, 2}, {1, 1}, {2, 2});
  };
  EXPECT_TRUE(
      gradcheck(op, {random_uniform({2, 2, 4, 5}, -1, 1, 1), random_uniform({3, 2, 2, 3}, -1, 1, 2),
                     random_uniform({3}, -1, 1, 3)}));
}

TEST(Conv2dTest, OneByOneKernelGradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2]); };
  EXPECT_TRUE(
      gradcheck(op, {random_uniform({3, 2, 3, 3}, -1, 1, 4), random_uniform({4, 2, 1, 1}, -1, 1, 5),
                     random_uniform({4}, -1, 1, 6)}));
}

TEST(Conv2dTest, WorksWithoutBiasAndSkipsUnneededGradients) {
  Tensor x = random_uniform({2, 2, 4, 4}, -1, 1, 7);
  Tensor w = random_uniform({3, 2, 3, 3}, -1, 1, 8).set_requires_grad(true);
  sum(conv2d(x, w, Tensor(), {1, 1}, {1, 1})).backward();
  EXPECT_TRUE(w.grad().defined());
  EXPECT_FALSE(x.grad().defined());
  auto op = [](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor()); };
  EXPECT_TRUE(gradcheck(
      op, {random_uniform({1, 2, 4, 4}, -1, 1, 9), random_uniform({2, 2, 3, 2}, -1, 1, 10)}));
}

TEST(Conv2dTest, BackwardIsBitwiseTheSameAtOneAndTwoThreads) {
  const int saved = num_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    Tensor x = random_uniform({40, 3, 9, 9}, -1, 1, 11).set_requires_grad(true);
    Tensor w = random_uniform({8, 3, 3, 3}, -1, 1, 12).set_requires_grad(true);
    Tensor b = random_uniform({8}, -1, 1, 13).set_requires_grad(true);
    const Tensor out = conv2d(x, w, b, {1, 1}, {1, 1});
    sum(mul(out, random_uniform(out.shape(), -1, 1, 14))).backward();
    std::vector<float> all = out.to_vector();
    for (const Tensor& t : {x.grad(), w.grad(), b.grad()}) {
      const auto v = t.to_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    results.push_back(all);
  }
  set_num_threads(saved);
  EXPECT_TRUE(results[0] == results[1]);
}

TEST(Conv2dTest, ErrorsNameTheOpAndTheShapes) {
  auto message = [](auto f) {
    try {
      f();
    } catch (const ShapeError& e) {
      return std::string(e.what());
    }
    return std::string("no ShapeError");
  };
  const Tensor x = Tensor::zeros({8, 3, 5, 5});
  EXPECT_EQ(message([&] {
              conv2d(x, Tensor::zeros({4, 2, 3, 3}), Tensor());
            }),
            "conv2d: input [8,3,5,5] has 3 channels, weight [4,2,3,3] expects 2");
  EXPECT_NE(message([&] {
              conv2d(x, Tensor::zeros({4, 3, 7, 7}), Tensor());
            }).find("conv2d: kernel [7,7] with dilation [1,1] is larger than input [8,3,5,5]"),
            std::string::npos);
  EXPECT_EQ(message([&] {
              conv2d(x, Tensor::zeros({4, 3, 3, 3}), Tensor(), {0, 1});
            }),
            "conv2d: stride must be positive, got [0,1]");
  EXPECT_NE(message([&] {
              conv2d(x, Tensor::zeros({4, 3, 3, 3}), Tensor::zeros({3}));
            }).find("bias [3] does not match weight [4,3,3,3]"),
            std::string::npos);
  EXPECT_NE(message([&] {
              conv2d(Tensor::zeros({3, 5, 5}), Tensor::zeros({4, 3, 3, 3}), {});
            }).find("got [3,5,5] and [4,3,3,3]"),
            std::string::npos);
  EXPECT_NO_THROW(conv2d(x, Tensor::zeros({4, 3, 7, 7}), Tensor(), {1, 1}, {1, 1}));
}

TEST(Conv1dTest, ForwardMatchesHandComputedValues) {
  const Tensor x = Tensor::from({1, 2, 3, 4, 5}, {1, 1, 5});
  const Tensor w = Tensor::from({1, 0, -1}, {1, 1, 3});
  // Padding 1, stride 2: windows centred on positions 0, 2, 4.
  const Tensor out = conv1d(x, w, Tensor(), 2, 1);
  EXPECT_EQ(out.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(out.to_vector(), (std::vector<float>{-2.0f, -2.0f, 4.0f}));
}

TEST(Conv1dTest, GradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], in[2], 2, 1, 2); };
  EXPECT_TRUE(
      gradcheck(op, {random_uniform({2, 3, 9}, -1, 1, 15), random_uniform({2, 3, 3}, -1, 1, 16),
                     random_uniform({2}, -1, 1, 17)}));
}

TEST(Conv1dTest, ErrorsNameConv1d) {
  EXPECT_THROW(
      {
        try {
          conv1d(Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 5}), Tensor());
        } catch (const ShapeError& e) {
          EXPECT_NE(std::string(e.what()).find("conv1d: kernel [5]"), std::string::npos);
          throw;
        }
      },
      ShapeError);
}

}  // namespace
}  // namespace dither
