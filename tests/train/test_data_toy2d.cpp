#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "train/data/toy2d.h"

namespace dither {
namespace {

using Maker = std::function<Dataset(const RandomStream&)>;

struct ToyCase {
  const char* name;
  Maker make;
  std::int64_t classes;
};

class ToySetTest : public ::testing::TestWithParam<ToyCase> {};

TEST_P(ToySetTest, IsDeterministicPerSeedAndDiffersAcrossSeeds) {
  const ToyCase& c = GetParam();
  const Dataset a = c.make(RandomStream(1, "toy"));
  EXPECT_EQ(a.values, c.make(RandomStream(1, "toy")).values);
  EXPECT_NE(a.values, c.make(RandomStream(2, "toy")).values);
}

TEST_P(ToySetTest, HasBalancedClassesOfTwoDimensionalPoints) {
  const ToyCase& c = GetParam();
  const Dataset ds = c.make(RandomStream(3, "toy"));
  EXPECT_EQ(ds.kind, InputKind::points);
  EXPECT_EQ(ds.sample_shape, (Shape{2}));
  EXPECT_EQ(ds.num_classes, c.classes);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(c.classes));
  for (std::int32_t y : ds.labels) ++counts[static_cast<std::size_t>(y)];
  for (std::int64_t n : counts) EXPECT_EQ(n, ds.size() / c.classes);
  EXPECT_TRUE(std::isinf(ds.value_range.high));
}

INSTANTIATE_TEST_SUITE_P(
    All, ToySetTest,
    ::testing::Values(
        ToyCase{"moons", [](const RandomStream& s) { return make_moons(60, 0.1, s); }, 2},
        ToyCase{"circles", [](const RandomStream& s) { return make_circles(60, 0.5, 0.05, s); }, 2},
        ToyCase{"spirals", [](const RandomStream& s) { return make_spirals(60, 3, 0.2, s); }, 3},
        ToyCase{"blobs",
                [](const RandomStream& s) {
                  return make_blobs(60, blob_centres(4, 8.0, RandomStream(0, "centres")), 1.0, s);
                },
                4}),
    [](const auto& info) { return std::string(info.param.name); });

double radius(const Dataset& ds, std::int64_t i) {
  return std::hypot(ds.values[static_cast<std::size_t>(2 * i)],
                    ds.values[static_cast<std::size_t>(2 * i + 1)]);
}

TEST(Toy2dTest, NoiselessMoonsLieOnTheirHalfCircles) {
  const Dataset ds = make_moons(20, 0.0, RandomStream(4, "toy"));
  for (std::int64_t i = 0; i < ds.size(); ++i) {
    const float x = ds.values[static_cast<std::size_t>(2 * i)];
    const float y = ds.values[static_cast<std::size_t>(2 * i + 1)];
    if (ds.labels[static_cast<std::size_t>(i)] == 0) {
      EXPECT_NEAR(std::hypot(x, y), 1.0, 1e-5);
      EXPECT_GE(y, -1e-6);
    } else {
      EXPECT_NEAR(std::hypot(x - 1.0, y - 0.5), 1.0, 1e-5);
      EXPECT_LE(y, 0.5 + 1e-6);
    }
  }
}

TEST(Toy2dTest, NoiselessCirclesHaveTheirTwoRadii) {
  const Dataset ds = make_circles(20, 0.3, 0.0, RandomStream(4, "toy"));
  for (std::int64_t i = 0; i < ds.size(); ++i) {
    EXPECT_NEAR(radius(ds, i), ds.labels[static_cast<std::size_t>(i)] == 0 ? 1.0 : 0.3, 1e-5);
  }
}

TEST(Toy2dTest, SpiralPointsStayInTheUnitDisc) {
  const Dataset ds = make_spirals(30, 5, 0.3, RandomStream(4, "toy"));
  for (std::int64_t i = 0; i < ds.size(); ++i) EXPECT_LE(radius(ds, i), 1.0 + 1e-6);
}

TEST(Toy2dTest, BlobsGatherAroundTheirCentres) {
  const std::vector<float> centres = blob_centres(3, 5.0, RandomStream(9, "centres"));
  for (float c : centres) {
    EXPECT_GE(c, -5.0f);
    EXPECT_LE(c, 5.0f);
  }
  const Dataset ds = make_blobs(3000, centres, 0.5, RandomStream(10, "blobs"));
  std::vector<double> mean(6, 0.0);
  for (std::int64_t i = 0; i < ds.size(); ++i) {
    const auto y = static_cast<std::size_t>(ds.labels[static_cast<std::size_t>(i)]);
    mean[2 * y] += ds.values[static_cast<std::size_t>(2 * i)] / 1000.0;
    mean[2 * y + 1] += ds.values[static_cast<std::size_t>(2 * i + 1)] / 1000.0;
  }
  for (std::size_t k = 0; k < 6; ++k) EXPECT_NEAR(mean[k], centres[k], 0.1);
}

TEST(Toy2dTest, RejectsBadParameters) {
  const RandomStream s(1, "toy");
  EXPECT_THROW(make_moons(10, -0.1, s), ConfigError);
  EXPECT_THROW(make_circles(10, 1.5, 0.1, s), ConfigError);
  EXPECT_THROW(make_spirals(10, 1, 0.1, s), ConfigError);
  EXPECT_THROW(blob_centres(0, 1.0, s), ConfigError);
  EXPECT_THROW(make_moons(-1, 0.1, s), ConfigError);
}

}  // namespace
}  // namespace dither
