#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/ops/activation.h"
#include "core/ops/arithmetic.h"
#include "core/ops/conv.h"
#include "core/ops/reduce.h"
#include "core/parallel.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::gradcheck;
using testing::random_uniform;

struct Case {
  const char* name;
  Shape x, w;
  bool bias;
  Size2 stride, padding;
};

// The output, then dx, dw and db, of `op` under the loss sum(out * r).
template <class Op>
std::vector<float> forward_and_gradients(const Case& c, const Tensor& r_or_empty, Op op) {
  Tensor x = random_uniform(c.x, -1, 1, 1).set_requires_grad(true);
  Tensor w = random_uniform(c.w, -1, 1, 2).set_requires_grad(true);
  Tensor b = c.bias ? random_uniform({c.w[0]}, -1, 1, 3).set_requires_grad(true) : Tensor();
  const Tensor out = op(x, w, b, c.stride, c.padding);
  const Tensor r = r_or_empty.defined() ? r_or_empty : random_uniform(out.shape(), -1, 1, 4);
  sum(mul(out, r)).backward();
  std::vector<float> all = out.to_vector();
  for (const Tensor& t : {x.grad(), w.grad(), b.defined() ? b.grad() : Tensor()}) {
    if (!t.defined()) continue;
    const auto v = t.to_vector();
    all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

Tensor fused(const Tensor& x, const Tensor& w, const Tensor& b, Size2 s, Size2 p) {
  return conv2d_relu(x, w, b, s, p);
}
Tensor unfused(const Tensor& x, const Tensor& w, const Tensor& b, Size2 s, Size2 p) {
  return relu(conv2d(x, w, b, s, p));
}

bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

const std::vector<Case> kCases{
    {"3x3", {3, 2, 7, 6}, {4, 2, 3, 3}, true, {1, 1}, {0, 0}},
    {"padded_strided", {2, 3, 8, 8}, {5, 3, 3, 3}, true, {2, 1}, {1, 1}},
    {"one_by_one", {2, 4, 5, 5}, {3, 4, 1, 1}, true, {1, 1}, {0, 0}},
    {"no_bias", {2, 1, 6, 6}, {4, 1, 3, 3}, false, {1, 1}, {0, 0}},
};

TEST(Conv2dReluTest, ValuesAndGradientsAreBitwiseThoseOfReluAfterConv) {
  for (const Case& c : kCases) {
    const auto a = forward_and_gradients(c, Tensor(), fused);
    const auto b = forward_and_gradients(c, Tensor(), unfused);
    EXPECT_TRUE(bitwise_equal(a, b)) << c.name;
    // The case exercises the mask: some outputs are rectified, some pass.
    const Tensor out =
        conv2d(random_uniform(c.x, -1, 1, 1), random_uniform(c.w, -1, 1, 2),
               c.bias ? random_uniform({c.w[0]}, -1, 1, 3) : Tensor(), c.stride, c.padding);
    const auto v = out.to_vector();
    EXPECT_GT(std::count_if(v.begin(), v.end(), [](float e) { return e < 0; }), 0) << c.name;
    EXPECT_GT(std::count_if(v.begin(), v.end(), [](float e) { return e > 0; }), 0) << c.name;
  }
}

TEST(Conv2dReluTest, ANonFiniteGradientPropagatesAsReluAfterConvDoes) {
  const Case& c = kCases[0];
  Tensor r = random_uniform({3, 4, 5, 4}, -1, 1, 5);
  for (std::int64_t i = 0; i < r.numel(); i += 7)
    r.ptr()[i] = std::numeric_limits<float>::infinity();
  const auto a = forward_and_gradients(c, r, fused);
  const auto b = forward_and_gradients(c, r, unfused);
  EXPECT_TRUE(bitwise_equal(a, b));
  EXPECT_TRUE(std::any_of(a.begin(), a.end(), [](float e) { return std::isnan(e); }));
}

TEST(Conv2dReluTest, GradientMatchesFiniteDifferences) {
  auto op = [](const std::vector<Tensor>& in) {
    return conv2d_relu(in[0], in[1], in[2], {1, 2}, {1, 0});
  };
  EXPECT_TRUE(
      gradcheck(op, {random_uniform({2, 2, 5, 5}, -1, 1, 6), random_uniform({3, 2, 3, 2}, -1, 1, 7),
                     random_uniform({3}, -1, 1, 8)}));
}

TEST(Conv2dReluTest, BitwiseTheSameAtOneAndTwoThreads) {
  const int saved = num_threads();
  const Case c{"batch", {40, 3, 9, 9}, {8, 3, 3, 3}, true, {1, 1}, {1, 1}};
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    results.push_back(forward_and_gradients(c, Tensor(), fused));
  }
  set_num_threads(saved);
  EXPECT_TRUE(bitwise_equal(results[0], results[1]));
}

}  // namespace
}  // namespace dither
