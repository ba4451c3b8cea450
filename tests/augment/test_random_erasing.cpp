#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "augment/random_erasing.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kImageModel = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}};
constexpr float kBackground = 5.0f;  // outside [0, 1]: every fill differs from it

// The box erased in sample b of y [B, C, H, W] (elements no longer kBackground): the changed
// elements must fill their bounding box exactly, at the same place in every channel.
std::optional<Box> erased_box(const Tensor& y, std::int64_t b) {
  const std::int64_t c = y.size(1);
  const std::int64_t h = y.size(2);
  const std::int64_t w = y.size(3);
  std::int64_t top = h, left = w, bottom = -1, right = -1, count = 0;
  for (std::int64_t r = 0; r < h; ++r) {
    for (std::int64_t col = 0; col < w; ++col) {
      const bool changed = y.ptr()[(b * c * h + r) * w + col] != kBackground;
      for (std::int64_t ch = 1; ch < c; ++ch) {
        EXPECT_EQ(y.ptr()[((b * c + ch) * h + r) * w + col] != kBackground, changed);
      }
      if (!changed) continue;
      ++count;
      top = std::min(top, r);
      bottom = std::max(bottom, r);
      left = std::min(left, col);
      right = std::max(right, col);
    }
  }
  if (count == 0) return std::nullopt;
  const Box box{top, left, bottom - top + 1, right - left + 1};
  EXPECT_EQ(count, box.area()) << "sample " << b << ": the erased region is not a rectangle";
  return box;
}

Tensor background(std::int64_t b, std::int64_t c, std::int64_t h, std::int64_t w) {
  return Tensor::full({b, c, h, w}, kBackground);
}

TEST(RandomErasingTest, ErasedBoxesHaveAreaAndAspectInTheirRanges) {
  constexpr std::int64_t kSide = 64;
  RandomErasingOptions o;
  o.probability = 1.0;
  o.value = -1.0;
  const Tensor y =
      random_erase(background(1500, 1, kSide, kSide), o, 0.0f, 1.0f, RandomStream(9, "t"));
  int boxes = 0;
  for (std::int64_t b = 0; b < 1500; ++b) {
    const std::optional<Box> box = erased_box(y, b);
    if (!box) continue;
    ++boxes;
    ASSERT_LT(box->height, kSide);  // torchvision's strict fit test
    ASSERT_LT(box->width, kSide);
    // height = round(sqrt(area * aspect)), width = round(sqrt(area / aspect)): the drawn area and
    // aspect lie within these bounds, which must meet [0.02, 0.33] * H * W and [0.3, 3.3].
    const double h = static_cast<double>(box->height);
    const double w = static_cast<double>(box->width);
    ASSERT_GE((h + 0.5) * (w + 0.5), 0.02 * kSide * kSide) << h << " x " << w;
    ASSERT_LE((h - 0.5) * (w - 0.5), 0.33 * kSide * kSide) << h << " x " << w;
    ASSERT_GE((h + 0.5) / (w - 0.5), 0.3) << h << " x " << w;
    ASSERT_LE((h - 0.5) / (w + 0.5), 3.3) << h << " x " << w;
  }
  // Tall thin and wide flat boxes that do not fit are retried: nearly every sample gets one.
  EXPECT_GT(boxes, 1450);
}

TEST(RandomErasingTest, PerSampleChanceMeanAreaAndLogUniformAspect) {
  constexpr std::int64_t kSide = 64;
  constexpr std::int64_t kSamples = 4000;
  RandomErasingOptions o;  // probability 0.5
  o.scale = {0.02, 0.1};   // every try fits: no retries to bias the shapes
  o.value = -1.0;
  const Tensor y =
      random_erase(background(kSamples, 1, kSide, kSide), o, 0.0f, 1.0f, RandomStream(10, "t"));
  double erased = 0, area = 0, area_sq = 0, taller = 0, unequal = 0;
  for (std::int64_t b = 0; b < kSamples; ++b) {
    const std::optional<Box> box = erased_box(y, b);
    if (!box) continue;
    ++erased;
    area += static_cast<double>(box->area());
    area_sq += std::pow(static_cast<double>(box->area()), 2);
    taller += box->height > box->width;
    unequal += box->height != box->width;
  }
  EXPECT_NEAR(erased / kSamples, 0.5, 5.0 * std::sqrt(0.25 / kSamples));
  // Area ~ U(0.02, 0.1) * 4096: mean 245.8; rounding each side moves a box by under a pixel row.
  const double mean = area / erased;
  const double sd = std::sqrt(area_sq / erased - mean * mean);
  EXPECT_NEAR(mean, 0.06 * kSide * kSide, 5.0 * sd / std::sqrt(erased) + 1.0);
  // log(aspect) ~ U(log 0.3, log 3.3) is symmetric about ~0: half the boxes are taller than
  // wide. A linearly uniform aspect on [0.3, 3.3] would make 77% of them taller.
  EXPECT_NEAR(taller / unequal, 0.5, 5.0 * std::sqrt(0.25 / unequal));
}

TEST(RandomErasingTest, NoBoxFitsMeansNoChange) {
  RandomErasingOptions o;
  o.probability = 1.0;
  o.scale = {0.9, 1.0};  // on 2 x 2 a box must be at most 1 x 1: area 1 of 4
  const Tensor x = background(50, 1, 2, 2);
  EXPECT_EQ(random_erase(x, o, 0.0f, 1.0f, RandomStream(11, "t")).to_vector(), x.to_vector());
  EXPECT_FALSE(erasing_box(2, 2, o.scale, o.ratio, RandomStream(11, "u")).has_value());
}

TEST(RandomErasingTest, RandomFillsOneColourPerChannelPixelFillsEachElement) {
  RandomErasingOptions o;
  o.probability = 1.0;
  o.fill = EraseFill::random;
  const Tensor y = random_erase(background(20, 3, 32, 32), o, 0.0f, 1.0f, RandomStream(12, "t"));
  for (std::int64_t b = 0; b < 20; ++b) {
    const std::optional<Box> box = erased_box(y, b);
    ASSERT_TRUE(box.has_value());
    std::vector<float> colour;
    for (std::int64_t c = 0; c < 3; ++c) {
      const float* plane = y.ptr() + (b * 3 + c) * 1024;
      const float v = plane[box->top * 32 + box->left];
      ASSERT_GE(v, 0.0f);
      ASSERT_LT(v, 1.0f);
      for (std::int64_t r = box->top; r < box->top + box->height; ++r) {
        for (std::int64_t col = box->left; col < box->left + box->width; ++col) {
          ASSERT_EQ(plane[r * 32 + col], v);
        }
      }
      colour.push_back(v);
    }
    EXPECT_TRUE(colour[0] != colour[1] && colour[1] != colour[2]);
  }
  // "pixel": U(low, high) per element on bounded data, N(0, 1) on unbounded data.
  o.fill = EraseFill::pixel;
  o.scale = {0.3, 0.33};
  for (const auto& [low, high, mean, var] :
       {std::tuple{0.0f, 1.0f, 0.5, 1.0 / 12.0}, {-INFINITY, INFINITY, 0.0, 1.0}}) {
    const Tensor p = random_erase(background(200, 1, 32, 32), o, low, high, RandomStream(13, "t"));
    double n = 0, sum = 0, sq = 0;
    for (float v : p.data()) {
      if (v == kBackground) continue;
      if (std::isfinite(low)) {
        ASSERT_TRUE(v >= low && v < high) << v;
      }
      ++n;
      sum += v;
      sq += static_cast<double>(v) * v;
    }
    const double m = sum / n;
    // Standard errors; a box's elements are independent draws.
    EXPECT_NEAR(m, mean, 5.0 * std::sqrt(var / n)) << "low " << low;
    EXPECT_NEAR(sq / n - m * m, var, 5.0 * var * std::sqrt(2.0 / n)) << "low " << low;
  }
}

TEST(RandomErasingHookTest, FiresAtRatePDeterministicAndBatchOfOne) {
  testing::HookRig rig(testing::image_info(1, 28, 28), kImageModel);
  const Batch batch = rig.batch(background(64, 1, 28, 28), Tensor::zeros({64}));
  const nlohmann::json spec = {{"type", "random_erasing"}, {"value", "pixel"}};
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_deterministic(rig, spec, batch);
  const Batch one = rig.batch(background(1, 1, 28, 28), Tensor::zeros({1}));
  const Tensor y =
      testing::noised(rig, *rig.hook({{"type", "random_erasing"}, {"probability", 1}}), one, 0);
  ASSERT_TRUE(erased_box(y, 0).has_value());
  EXPECT_EQ(y.ptr()[erased_box(y, 0)->top * 28 + erased_box(y, 0)->left], 0.0f);  // value 0
  EXPECT_EQ(testing::fired_fraction(
                rig, *rig.hook({{"type", "random_erasing"}, {"probability", 0}}), one, 10),
            0.0);
}

TEST(RandomErasingHookTest, RoundTripsAndRefusesBadRangesAndNonImages) {
  testing::HookRig rig(testing::image_info(1, 28, 28), kImageModel);
  testing::expect_round_trip(rig, {{"type", "random_erasing"}});
  for (const nlohmann::json& value : {nlohmann::json("random"), nlohmann::json(0.4)}) {
    testing::expect_round_trip(rig, {{"type", "random_erasing"},
                                     {"probability", 0.8},
                                     {"scale", {0.1, 0.2}},
                                     {"ratio", {0.5, 2.0}},
                                     {"value", value},
                                     {"p", 0.5}});
  }
  testing::expect_refused(rig, {{"type", "random_erasing"}, {"scale", {0.5, 0.1}}},
                          "noise[3].scale: must be [min, max] with min <= max");
  testing::expect_refused(rig, {{"type", "random_erasing"}, {"scale", {0.1, 1.5}}},
                          "noise[3].scale[1]: must be a number in [0, 1]");
  testing::expect_refused(rig, {{"type", "random_erasing"}, {"ratio", {0, 2}}},
                          "noise[3].ratio[0]: must be a number > 0");
  testing::expect_refused(rig, {{"type", "random_erasing"}, {"ratio", 2}},
                          "noise[3].ratio: must be a list");
  testing::expect_refused(rig, {{"type", "random_erasing"}, {"value", "pixle"}},
                          "did you mean 'pixel'");
  testing::HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(table, {{"type", "random_erasing"}}, "random_erasing erases rectangles");
}

}  // namespace
}  // namespace dither
