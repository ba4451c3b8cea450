#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

std::vector<float> uniform_fill(const RandomStream& s, std::size_t n, std::uint64_t offset = 0) {
  std::vector<float> v(n);
  s.fill_uniform(v, 0.0f, 1.0f, offset);
  return v;
}

TEST(RandomFillTest, UniformElementsAreTheWordsOfPhiloxBlocks) {
  const RandomStream s(3, "bulk");
  const std::vector<float> v = uniform_fill(s, 4099);
  // Element e of group g (1024 elements) is word e / 256 of block 256 g + e % 256.
  for (std::size_t k : {0u, 1u, 255u, 256u, 700u, 1023u, 1027u, 4098u}) {
    const std::size_t g = k / 1024;
    const std::size_t e = k % 1024;
    const auto words = s.bits(256 * g + e % 256);
    EXPECT_EQ(v[k], static_cast<float>(words[e / 256] >> 8) * 0x1.0p-24f) << "element " << k;
  }
}

TEST(RandomFillTest, NormalsAreBoxMullerOfTheBlockWords) {
  const RandomStream s(4, "bulk-normal");
  std::vector<float> v(40'000);
  s.fill_normal(v, 0.0f, 1.0f);
  for (std::size_t k = 0; k < v.size(); k += 97) {
    const std::size_t e = k % 1024;
    const auto w = s.bits(256 * (k / 1024) + e % 256);
    const std::size_t run = e / 256;  // cos, sin of words (0, 1); cos, sin of words (2, 3)
    const std::size_t pair = run / 2;
    const double u1 = static_cast<double>((w[2 * pair] >> 8) + 1u) * 0x1.0p-24;
    const double u2 = static_cast<double>(w[2 * pair + 1] >> 8) * 0x1.0p-24;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    const double expected = run % 2 == 0 ? r * std::cos(angle) : r * std::sin(angle);
    EXPECT_NEAR(v[k], expected, 2e-6 * std::max(1.0, std::abs(expected))) << "element " << k;
  }
}

TEST(RandomFillTest, NormalHasTheMomentsOfAStandardNormal) {
  std::vector<float> v(1 << 20);
  RandomStream(5, "moments").fill_normal(v, 0.0f, 1.0f);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
  for (float x : v) {
    const double d = x;
    m1 += d;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  const double n = static_cast<double>(v.size());
  EXPECT_NEAR(m1 / n, 0.0, 4.0 / std::sqrt(n));
  EXPECT_NEAR(m2 / n, 1.0, 6.0 * std::sqrt(2.0 / n));
  EXPECT_NEAR(m3 / n, 0.0, 6.0 * std::sqrt(15.0 / n));
  EXPECT_NEAR(m4 / n, 3.0, 6.0 * std::sqrt(96.0 / n));
}

TEST(RandomFillTest, BernoulliHitsItsRateWithTheValueAsked) {
  std::vector<float> v(1 << 20);
  RandomStream(6, "coin").fill_bernoulli(v, 0.3, 2.5f);
  double ones = 0;
  for (float x : v) {
    ASSERT_TRUE(x == 0.0f || x == 2.5f);
    ones += x == 2.5f;
  }
  const double n = static_cast<double>(v.size());
  EXPECT_NEAR(ones / n, 0.3, 5.0 * std::sqrt(0.21 / n));
  std::vector<float> never(1000);
  RandomStream(6, "coin").fill_bernoulli(never, 0.0, 1.0f);
  for (float x : never) EXPECT_EQ(x, 0.0f);
}

TEST(RandomFillTest, AnElementDependsOnlyOnItsIndex) {
  const RandomStream s(7, "index");
  const std::vector<float> longer = uniform_fill(s, 70'001);
  const std::vector<float> shorter = uniform_fill(s, 1'003);
  for (std::size_t k = 0; k < shorter.size(); ++k) ASSERT_EQ(shorter[k], longer[k]) << k;
  const std::vector<float> shifted = uniform_fill(s, 1'000, 4'096);
  for (std::size_t k = 0; k < shifted.size(); ++k) ASSERT_EQ(shifted[k], longer[4'096 + k]) << k;
  EXPECT_THROW(uniform_fill(s, 10, 4), Error);
  std::vector<float> short_normals(1'003);
  std::vector<float> long_normals(70'001);
  s.fill_normal(short_normals, 0.0f, 1.0f);
  s.fill_normal(long_normals, 0.0f, 1.0f);
  for (std::size_t k = 0; k < short_normals.size(); ++k)
    ASSERT_EQ(short_normals[k], long_normals[k]) << k;
  const int threads = num_threads();
  set_num_threads(1);
  std::vector<float> one(300'001);
  s.fill_normal(one, 1.0f, 2.0f);
  set_num_threads(2);
  std::vector<float> two(300'001);
  s.fill_normal(two, 1.0f, 2.0f);
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace dither
