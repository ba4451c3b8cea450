#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "augment/cutout.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kImageModel = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}};

// The reference's hole for an even length: rows [cy - L/2, cy + L/2) clipped to [0, size), the
// centre uniform over [0, size). q[y] = P(row y is covered).
std::vector<double> row_coverage(std::int64_t size, std::int64_t length) {
  std::vector<double> q(static_cast<std::size_t>(size), 0.0);
  for (std::int64_t cy = 0; cy < size; ++cy) {
    for (std::int64_t y = std::max<std::int64_t>(0, cy - length / 2);
         y < std::min(size, cy + length / 2); ++y) {
      q[static_cast<std::size_t>(y)] += 1.0 / static_cast<double>(size);
    }
  }
  return q;
}

TEST(CutoutTest, MeanMaskedFractionMatchesTheClippedExpectation) {
  constexpr std::int64_t kSamples = 2000;
  constexpr std::int64_t kSide = 16;
  testing::HookRig rig(testing::image_info(1, kSide, kSide), kImageModel);
  const Batch batch =
      rig.batch(Tensor::ones({kSamples, 1, kSide, kSide}), Tensor::zeros({kSamples}));
  for (std::int64_t holes : {1, 2}) {
    const std::vector<double> q = row_coverage(kSide, 8);
    // Holes are independent: a pixel stays unmasked with probability (1 - q[y] q[x])^holes.
    double expected = 0.0;
    for (double qy : q) {
      for (double qx : q) expected += 1.0 - std::pow(1.0 - qy * qx, static_cast<double>(holes));
    }
    expected /= kSide * kSide;
    const Tensor y = testing::noised(
        rig, *rig.hook({{"type", "cutout"}, {"length", 8}, {"holes", holes}}), batch, 0);
    double sum = 0.0;
    double sq = 0.0;
    for (std::int64_t b = 0; b < kSamples; ++b) {
      double masked = 0.0;
      for (std::int64_t i = 0; i < kSide * kSide; ++i) {
        const float v = y.ptr()[b * kSide * kSide + i];
        ASSERT_TRUE(v == 0.0f || v == 1.0f);
        masked += v == 0.0f;
      }
      sum += masked / (kSide * kSide);
      sq += std::pow(masked / (kSide * kSide), 2);
    }
    const double mean = sum / kSamples;
    const double sd = std::sqrt(sq / kSamples - mean * mean);
    EXPECT_NEAR(mean, expected, 5.0 * sd / std::sqrt(kSamples)) << holes << " holes";
  }
}

TEST(CutoutTest, InteriorHolesHaveExactlyTheSideAndClippedOnesTouchTheBorder) {
  constexpr std::int64_t kSide = 64;
  for (std::int64_t length : {8, 5}) {
    const std::vector<Box> boxes =
        cutout_boxes(4000, kSide, kSide, 1, length, RandomStream(8, "t"));
    double full_rows = 0;
    for (const Box& box : boxes) {
      for (const auto& [start, extent] : {std::pair{box.top, box.height}, {box.left, box.width}}) {
        ASSERT_GE(start, 0);
        ASSERT_LE(start + extent, kSide);
        ASSERT_LE(extent, length);
        if (extent < length) {
          ASSERT_TRUE(start == 0 || start + extent == kSide);
        }
      }
      full_rows += box.height == length;
    }
    // Unclipped when the centre has room on both sides: kSide - length + 1 of kSide centres.
    const double p = static_cast<double>(kSide - length + 1) / kSide;
    EXPECT_NEAR(full_rows / 4000, p, 5.0 * std::sqrt(p * (1 - p) / 4000)) << "length " << length;
  }
}

TEST(CutoutHookTest, MasksEveryChannelAlikeWithItsValueAndEachSampleItsOwnHole) {
  testing::HookRig rig(testing::image_info(3, 12, 12), kImageModel);
  const Batch batch = rig.batch(Tensor::ones({9, 3, 12, 12}), Tensor::zeros({9}));  // odd batch
  const Tensor y = testing::noised(
      rig, *rig.hook({{"type", "cutout"}, {"length", 4}, {"value", 0.3}}), batch, 1);
  std::set<std::vector<int>> masks;
  for (std::int64_t b = 0; b < 9; ++b) {
    std::vector<int> mask;
    for (std::int64_t i = 0; i < 144; ++i) {
      const float v = y.ptr()[b * 432 + i];
      ASSERT_TRUE(v == 1.0f || v == 0.3f) << v;
      for (std::int64_t c = 1; c < 3; ++c) ASSERT_EQ(y.ptr()[b * 432 + c * 144 + i], v);
      mask.push_back(v == 0.3f);
    }
    masks.insert(mask);
  }
  EXPECT_GT(masks.size(), 5u);
}

TEST(CutoutHookTest, EdgeCases) {
  testing::HookRig rig(testing::image_info(1, 16, 16), kImageModel);
  const Batch one = rig.batch(Tensor::ones({1, 1, 16, 16}), Tensor::zeros({1}));
  // A side far beyond the image covers all of it wherever the centre falls.
  for (float v :
       testing::noised(rig, *rig.hook({{"type", "cutout"}, {"length", 40}}), one, 0).data()) {
    ASSERT_EQ(v, 0.0f);
  }
  EXPECT_EQ(testing::fired_fraction(rig, *rig.hook({{"type", "cutout"}, {"holes", 0}}), one, 10),
            0.0);
  const Batch batch = rig.batch(Tensor::ones({100, 1, 16, 16}), Tensor::zeros({100}));
  testing::expect_fires_at_rate_p(rig, {{"type", "cutout"}}, batch);
  testing::expect_deterministic(rig, {{"type", "cutout"}}, batch);
}

TEST(CutoutHookTest, RoundTripsAndRefusesDataThatIsNotImages) {
  testing::HookRig rig(testing::image_info(1, 16, 16), kImageModel);
  testing::expect_round_trip(rig, {{"type", "cutout"}});
  testing::expect_round_trip(
      rig, {{"type", "cutout"}, {"holes", 3}, {"length", 5}, {"value", 0.5}, {"p", 0.7}});
  testing::HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(table, {{"type", "cutout"}}, "feature_mask");
  InputInfo sequence = testing::tabular_info(4);
  sequence.kind = InputKind::sequence;
  sequence.sample_shape = {10, 4};
  testing::HookRig seq(sequence, kImageModel);
  testing::expect_refused(seq, {{"type", "cutout"}}, "images [C, H, W]");
  testing::expect_refused(rig, {{"type", "cutout"}, {"length", 0}}, "length");
}

}  // namespace
}  // namespace dither
