#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "core/tensor.h"

namespace dither {
namespace {

TEST(PhiloxTest, MatchesTheRandom123KnownAnswers) {
  using Block = std::array<std::uint32_t, 4>;
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (Block{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (Block{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (Block{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

struct Moments {
  double mean = 0.0;
  double var = 0.0;
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  for (double x : v) m.var += (x - m.mean) * (x - m.mean);
  m.var /= static_cast<double>(v.size() - 1);
  return m;
}

template <class Draw>
std::vector<double> draws(int n, Draw draw) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = draw(static_cast<std::uint64_t>(i));
  return v;
}

constexpr int kDraws = 200'000;

TEST(RandomStreamTest, UniformHasTheRightMoments) {
  RandomStream s(1, "test");
  const Moments m = moments(draws(kDraws, [&](std::uint64_t i) { return s.uniform(i); }));
  EXPECT_NEAR(m.mean, 0.5, 0.005);
  EXPECT_NEAR(m.var, 1.0 / 12.0, 0.002);
}

TEST(RandomStreamTest, NormalHasTheRightMoments) {
  RandomStream s(2, "test");
  const Moments m = moments(draws(kDraws, [&](std::uint64_t i) { return s.normal(i); }));
  EXPECT_NEAR(m.mean, 0.0, 0.01);
  EXPECT_NEAR(m.var, 1.0, 0.01);
}

TEST(RandomStreamTest, BernoulliHitsItsProbability) {
  RandomStream s(3, "test");
  const Moments m =
      moments(draws(kDraws, [&](std::uint64_t i) { return s.bernoulli(i, 0.3) ? 1.0 : 0.0; }));
  EXPECT_NEAR(m.mean, 0.3, 0.005);
}

TEST(RandomStreamTest, GammaHasMeanAndVarianceAlpha) {
  for (double alpha : {0.4, 1.0, 2.5, 9.0}) {
    RandomStream s(4, "test");
    const Moments m = moments(draws(kDraws, [&](std::uint64_t i) { return s.gamma(i, alpha); }));
    EXPECT_NEAR(m.mean, alpha, 0.02 * alpha + 0.01) << "alpha " << alpha;
    EXPECT_NEAR(m.var, alpha, 0.05 * alpha + 0.01) << "alpha " << alpha;
  }
}

TEST(RandomStreamTest, BetaHasItsMeanAndVariance) {
  for (auto [a, b] : {std::pair{0.2, 0.2}, std::pair{1.0, 1.0}, std::pair{2.0, 5.0}}) {
    RandomStream s(5, "test");
    const Moments m = moments(draws(kDraws, [&](std::uint64_t i) { return s.beta(i, a, b); }));
    const double mean = a / (a + b);
    const double var = a * b / ((a + b) * (a + b) * (a + b + 1));
    EXPECT_NEAR(m.mean, mean, 0.005) << a << "," << b;
    EXPECT_NEAR(m.var, var, 0.05 * var) << a << "," << b;
  }
}

TEST(RandomStreamTest, PoissonHasMeanAndVarianceItsMeanAndItsZeroMass) {
  // 700 is split into pieces of 256: their sum must still be Poisson(700).
  for (double mean : {0.5, 4.0, 30.0, 700.0}) {
    RandomStream s(7, "test");
    const int n = mean > 100.0 ? 50'000 : kDraws;
    std::int64_t zeros = 0;
    const Moments m = moments(draws(n, [&](std::uint64_t i) {
      const std::int64_t k = s.poisson(i, mean);
      zeros += k == 0;
      return static_cast<double>(k);
    }));
    EXPECT_NEAR(m.mean, mean, 5.0 * std::sqrt(mean / n)) << "mean " << mean;
    EXPECT_NEAR(m.var, mean, 0.03 * mean) << "mean " << mean;
    const double p0 = std::exp(-mean);
    EXPECT_NEAR(static_cast<double>(zeros) / n, p0, 5.0 * std::sqrt(p0 * (1 - p0) / n) + 1e-9)
        << "mean " << mean;
  }
  RandomStream s(8, "test");
  EXPECT_EQ(s.poisson(3, 0.0), 0);
  EXPECT_EQ(s.poisson(3, 12.5), s.poisson(3, 12.5));
  EXPECT_THROW(s.poisson(0, -1.0), Error);
  EXPECT_THROW(s.poisson(0, std::nan("")), Error);
  EXPECT_THROW(s.poisson(0, 1e9), Error);
}

TEST(RandomStreamTest, IntegersCoverTheirRangeEvenly) {
  RandomStream s(6, "test");
  std::vector<int> counts(7);
  for (std::uint64_t i = 0; i < 70'000; ++i) ++counts[static_cast<std::size_t>(s.integer(i, 7))];
  for (int c : counts) EXPECT_NEAR(c, 10'000, 400);
}

TEST(RandomStreamTest, PermutationHoldsEveryIndexOnce) {
  auto p = RandomStream(7, "test").permutation(1000);
  std::vector<std::int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(sorted, expected);
  EXPECT_NE(p, expected);
}

TEST(RandomStreamTest, NamesGiveIndependentStreams) {
  EXPECT_NE(RandomStream(1, "a").uniform(0), RandomStream(1, "b").uniform(0));
  EXPECT_NE(RandomStream(1, "a").uniform(0), RandomStream(2, "a").uniform(0));
  EXPECT_NE(RandomStream(1, "a", {1}).uniform(0), RandomStream(1, "a", {2}).uniform(0));
  EXPECT_EQ(RandomStream(1, "a", {3}).uniform(9), RandomStream(1, "a", {3}).uniform(9));
}

TEST(RandomStreamTest, DrawsAreTheSameAtOneAndTwoThreads) {
  const RandomStream s(8, "threads");
  set_num_threads(1);
  const Tensor one = Tensor::randn({300'000}, s);
  set_num_threads(2);
  const Tensor two = Tensor::randn({300'000}, s);
  EXPECT_EQ(one.to_vector(), two.to_vector());
}

TEST(GeneratorTest, HandsOutStreamsInAFixedReplayableOrder) {
  Generator g(11);
  const float first = g.next("dropout").uniform(0);
  const float second = g.next("dropout").uniform(0);
  EXPECT_NE(first, second);
  g.set_position(0);
  EXPECT_EQ(g.next("dropout").uniform(0), first);
}

}  // namespace
}  // namespace dither
