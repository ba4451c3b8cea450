#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/study/compare.h"
#include "train/study/grid.h"
#include "train/study/shard.h"
#include "train/study/spread.h"

namespace dither {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The message of the ConfigError `f` throws, or "" when it throws none.
template <class F>
std::string config_error(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(StudyGrid, ProductOfTheAxesTimesTheSeedsFirstAxisSlowest) {
  const std::vector<GridAxis> axes{parse_grid("optimizer.lr=0.01,0.1"),
                                   parse_grid("noise.0.sigma=0,0.1,0.2")};
  const std::vector<StudyPoint> points = grid_points(axes, 2, 40);
  ASSERT_EQ(points.size(), 2u * 3u * 2u);
  std::set<std::string> names;
  std::set<std::string> settings;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const StudyPoint& p = points[i];
    const std::string lr = axes[0].values[i / 6];
    const std::string sigma = axes[1].values[(i / 2) % 3];
    EXPECT_EQ(p.seed, 40 + static_cast<std::int64_t>(i % 2)) << i;
    EXPECT_EQ(p.overrides, (std::vector<std::string>{"optimizer.lr=" + lr, "noise.0.sigma=" + sigma,
                                                     "seed=" + std::to_string(p.seed)}))
        << i;
    ASSERT_EQ(p.labels.size(), 2u);
    EXPECT_EQ(p.labels[0].second, lr);
    EXPECT_EQ(p.labels[1].second, sigma);
    // Both seeds of a setting share its group; the folder names say the seed.
    EXPECT_EQ(p.group, points[i - i % 2].group);
    EXPECT_TRUE(contains(p.name, "seed=" + std::to_string(p.seed))) << p.name;
    names.insert(p.name);
    settings.insert(p.group);
  }
  EXPECT_EQ(names.size(), points.size());
  EXPECT_EQ(settings.size(), 6u);
}

// Eight axes of ten values are 10^8 settings: refused before any point is made, as is a seed
// count whose product with the settings would overflow.
TEST(StudyGrid, MoreThanTheMostPointsIsRefusedBeforeExpanding) {
  std::vector<GridAxis> axes;
  for (const char* key : {"a", "b", "c", "d", "e", "f", "g", "h"})
    axes.push_back(parse_grid(std::string(key) + "=0,1,2,3,4,5,6,7,8,9"));
  const std::string message = config_error([&] { grid_points(axes, 1, 0); });
  EXPECT_TRUE(contains(message, "more than 100000 points")) << message;
  const std::vector<GridAxis> two{parse_grid("a=1,2")};
  EXPECT_FALSE(config_error([&] { grid_points(two, INT64_MAX, 0); }).empty());
  EXPECT_EQ(grid_points(two, kMaxSweepPoints / 2, 0).size(), kMaxSweepPoints);
}

TEST(StudyGrid, JsonValuesKeepTheirCommasAndGetReadableFolderNames) {
  const GridAxis axis =
      parse_grid(R"(noise=[],[{"type":"gaussian","sigma":0.1},{"type":"mixup","alpha":0.2}])");
  ASSERT_EQ(axis.values.size(), 2u);
  EXPECT_EQ(axis.values[0], "[]");
  EXPECT_EQ(axis.values[1], R"([{"type":"gaussian","sigma":0.1},{"type":"mixup","alpha":0.2}])");
  const std::vector<StudyPoint> points = grid_points({axis}, 1, 1);
  for (const StudyPoint& p : points) {
    EXPECT_EQ(p.name.find_first_of("/\"[]{} "), std::string::npos) << p.name;
  }
  EXPECT_NE(points[0].name, points[1].name);
}

TEST(StudyGrid, BadSyntaxIsAConfigErrorNamingTheArgument) {
  for (const std::string bad : {"optimizer.lr", "=0.1", "optimizer.lr=", "optimizer.lr=0.1,,0.2",
                                "optimizer.lr=0.1,", "optimizer.lr=0.1,0.1", "noise=[{\"type\":1}",
                                "noise=]", "a..b=1", "seed=1,2", "x=\"open"}) {
    const std::string message = config_error([&] { parse_grid(bad); });
    EXPECT_TRUE(contains(message, "--grid " + bad)) << bad << ": " << message;
  }
  EXPECT_TRUE(contains(config_error([] { grid_points({}, 1, 0); }), "--grid"));
  EXPECT_TRUE(contains(config_error([] {
                         grid_points({parse_grid("a=1,2"), parse_grid("a=3")}, 1, 0);
                       }),
                       "given twice"));
}

TEST(StudyShard, ShardsCoverEveryPositionExactlyOnce) {
  for (std::size_t n = 1; n <= 5; ++n) {
    std::vector<int> hits(23, 0);
    for (std::size_t i = 1; i <= n; ++i) {
      const Shard shard = Shard::parse(std::to_string(i) + "/" + std::to_string(n));
      for (std::size_t p = 0; p < hits.size(); ++p) hits[p] += shard.holds(p) ? 1 : 0;
    }
    for (std::size_t p = 0; p < hits.size(); ++p) EXPECT_EQ(hits[p], 1) << n << " shards, " << p;
  }
}

TEST(StudyShard, OutOfRangeOrMalformedIsAConfigError) {
  for (const std::string bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2/3", "-1/2", ""}) {
    EXPECT_TRUE(contains(config_error([&] { Shard::parse(bad); }), "--shard")) << bad;
  }
}

TEST(StudySpread, MeanSampleStdAndTheWithinNoiseRule) {
  const Spread a = spread_of({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(a.mean, 2.0);
  EXPECT_DOUBLE_EQ(a.std, 1.0);  // sum of squares 2 over n - 1 = 2
  EXPECT_EQ(a.n, 3);
  EXPECT_EQ(spread_of({std::nan(""), 4.0}).n, 1);
  // Same spread, shifted: 2 * SE(diff) = 2 * sqrt(1/3 + 1/3) = 1.633.
  EXPECT_EQ(within_noise(a, spread_of({2.5, 3.5, 4.5})), true);
  EXPECT_EQ(within_noise(a, spread_of({2.8, 3.8, 4.8})), false);
  EXPECT_EQ(within_noise(a, spread_of({3.0})), std::nullopt);  // one seed: unknown
}

TEST(StudyCompare, NestedObjectsFlattenToDottedKeysAndListsReplace) {
  const auto variant = nlohmann::ordered_json::parse(
      R"({"optimizer": {"lr": 0.01, "momentum": 0.5}, "noise": [{"type": "gaussian"}],
          "train.epochs": 2, "model": {}})");
  EXPECT_EQ(
      flatten_overrides(variant, "variants.x"),
      (std::vector<std::string>{"optimizer.lr=0.01", "optimizer.momentum=0.5",
                                R"(noise=[{"type":"gaussian"}])", "train.epochs=2", "model={}"}));
  EXPECT_TRUE(contains(
      config_error([] { flatten_overrides(nlohmann::ordered_json::array(), "variants.x"); }),
      "variants.x"));
}

}  // namespace
}  // namespace dither
