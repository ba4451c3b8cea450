#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "run_testing.h"
#include "train/data/registry.h"
#include "train/ood.h"

namespace dither {
namespace {

using testing::contains;
using testing::TempDir;

// An image reference: the facts of a 1x4x4 grey-image set, no samples needed.
DatasetInfo image_info() {
  DatasetInfo info;
  info.name = "tiny images";
  info.kind = InputKind::image;
  info.sample_shape = {1, 4, 4};
  info.num_classes = 3;
  info.class_names = {"a", "b", "c"};
  return info;
}

class OodTest : public ::testing::Test {
 protected:
  std::filesystem::path spec(const std::string& text) {
    const auto path = dir_ / "ood.json";
    testing::write_text(path, text);
    return path;
  }
  // The ConfigError message of loading `text` against `reference`, or "no error".
  std::string error(const std::string& text, const DatasetInfo& reference) {
    try {
      load_ood_set(spec(text), reference, 1);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }
  TempDir dir_{"ood"};
};

TEST_F(OodTest, UniformNoiseImagesFillTheValueRange) {
  const Dataset d = load_ood_set(spec(R"({"name": "noise", "size": 300})"), image_info(), 1);
  EXPECT_EQ(d.size(), 300);
  EXPECT_EQ(d.sample_shape, (Shape{1, 4, 4}));
  ASSERT_EQ(d.pixels.size(), 300u * 16u);
  double mean = 0.0;
  int low = 255, high = 0;
  for (std::uint8_t p : d.pixels) {
    mean += p / (255.0 * 4800.0);
    low = std::min<int>(low, p);
    high = std::max<int>(high, p);
  }
  EXPECT_NEAR(mean, 0.5, 0.02);  // uniform on [0, 1]: sd of the mean 0.29 / sqrt(4800)
  EXPECT_LE(low, 2);
  EXPECT_GE(high, 253);
}

TEST_F(OodTest, GaussianNoiseIsClippedToTheRange) {
  const Dataset d = load_ood_set(
      spec(R"({"name": "noise", "distribution": "gaussian", "mean": 0.9, "std": 0.5})"),
      image_info(), 1);
  std::int64_t at_top = 0;
  for (std::uint8_t p : d.pixels) at_top += p == 255;
  // P(N(0.9, 0.5) > 1) = P(Z > 0.2) = 0.42.
  EXPECT_NEAR(static_cast<double>(at_top) / static_cast<double>(d.pixels.size()), 0.42, 0.03);
}

TEST_F(OodTest, UnboundedDataNeedsExplicitNoiseBounds) {
  const DataSplits moons = load_data({{"name", "moons"}, {"test_size", 10}}, 1);
  EXPECT_TRUE(contains(error(R"({"name": "noise"})", moons.test), "ood.low: is required"))
      << error(R"({"name": "noise"})", moons.test);
  const Dataset far =
      load_ood_set(spec(R"({"name": "noise", "low": 5, "high": 6, "size": 20})"), moons.test, 1);
  for (float v : far.values) {
    EXPECT_GE(v, 5.0f);
    EXPECT_LT(v, 6.0f);
  }
}

TEST_F(OodTest, ShapeMismatchNamesBothShapes) {
  const std::string message = error(R"({"name": "noise", "shape": [3, 4, 4]})", image_info());
  EXPECT_TRUE(contains(message, "ood.json")) << message;
  EXPECT_TRUE(contains(message, "[3,4,4]") && contains(message, "[1,4,4]")) << message;
  const std::string other = error(R"({"name": "blobs", "test_size": 5})", image_info());
  EXPECT_TRUE(contains(other, "[2]") && contains(other, "[1,4,4]")) << other;
}

// The mismatch is refused before the set is made: 1000 samples of this shape would overflow the
// element count (undefined behaviour) or ask for terabytes.
TEST_F(OodTest, HugeShapeIsRefusedBeforeAllocating) {
  const std::string message =
      error(R"({"name": "noise", "shape": [4000000000, 4000000000, 4000000000]})", image_info());
  EXPECT_TRUE(contains(message, "ood.shape")) << message;
  EXPECT_TRUE(contains(message, "[1,4,4]")) << message;
}

TEST_F(OodTest, BadSpecsNameTheFileAndKey) {
  EXPECT_TRUE(contains(error(R"({"name": "noise", "sise": 3})", image_info()), "ood.json: ood"));
  EXPECT_TRUE(contains(error(R"({"name": "noise", "size": 0})", image_info()), "ood.size"));
  EXPECT_TRUE(contains(error(R"({"name": "noise", "distribution": "pink"})", image_info()),
                       "ood.distribution"));
  EXPECT_TRUE(contains(error(R"({"name": "nosie"})", image_info()), "ood.name"));
  EXPECT_TRUE(contains(error(R"({"name": "noise",)", image_info()), "ood.json"));
  EXPECT_TRUE(contains(error(R"([1, 2])", image_info()), "ood.json"));
  // Out of double's range: nlohmann's out_of_range, which escaped read_config (a fuzz finding).
  EXPECT_TRUE(contains(error(R"({"name": "noise", "size": 4e7984})", image_info()),
                       "ood.json: invalid JSON"));
}

TEST_F(OodTest, DataSpecGivesItsTestSplitFilteredByClass) {
  const DataSplits blobs = load_data({{"name", "blobs"}, {"centres", 4}}, 1);
  const Dataset held_out =
      load_ood_set(spec(R"({"name": "blobs", "centres": 4, "classes": [2, 3], "test_size": 400})"),
                   blobs.test, 1);
  EXPECT_EQ(held_out.num_classes, 2);
  EXPECT_GT(held_out.size(), 100);
  EXPECT_LT(held_out.size(), 300);  // about half of the 400 test points
}

}  // namespace
}  // namespace dither
