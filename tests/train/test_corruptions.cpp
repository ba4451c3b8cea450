#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "corruption_testing.h"
#include "train/corruptions/blur.h"
#include "train/corruptions/catalog.h"
#include "train/corruptions/geometry.h"
#include "train/corruptions/jpeg.h"
#include "train/corruptions/noise.h"
#include "train/corruptions/tabular.h"

namespace dither {
namespace {

constexpr ValueRange kUnit{0.0f, 1.0f};

// Fashion-MNIST-like images [b, 1, 28, 28]: a textured bright garment on a black background,
// placed and shaped differently in each image.
Tensor garments(std::int64_t b, std::int64_t size = 28) {
  const RandomStream stream(5, "garments");
  Tensor x = Tensor::zeros({b, 1, size, size});
  float* p = x.ptr();
  for (std::int64_t n = 0; n < b; ++n) {
    const std::int64_t top = 3 + stream.integer(4 * n, 5);
    const std::int64_t left = 4 + stream.integer(4 * n + 1, 5);
    const std::int64_t h = 12 + stream.integer(4 * n + 2, 8);
    const std::int64_t w = 8 + stream.integer(4 * n + 3, 8);
    for (std::int64_t y = top; y < std::min(size, top + h); ++y) {
      for (std::int64_t c = left; c < std::min(size, left + w); ++c) {
        const auto i = static_cast<std::uint64_t>((n * size + y) * size + c);
        p[(n * size + y) * size + c] =
            std::round((0.3f + 0.6f * stream.uniform(1000000 + i)) * 255) / 255;
      }
    }
  }
  return x;
}

using testing::l2;

bool same(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    if (a.ptr()[i] != b.ptr()[i]) return false;
  }
  return true;
}

// Standardised-looking rows [n, 4] with different scales per feature.
Tensor table(std::int64_t n, std::uint64_t seed) {
  const RandomStream stream(seed, "rows");
  Tensor x = Tensor::empty({n, 4});
  for (std::int64_t i = 0; i < x.numel(); ++i)
    x.ptr()[i] =
        static_cast<float>(i % 4 + 1) * stream.normal(static_cast<std::uint64_t>(i)) + 0.5f;
  return x;
}

TEST(CorruptionsTest, ImageCorruptionsAreTheIdentityAtZeroGrowWithSeverityAndKeepRangeAndShape) {
  const Tensor x = garments(16);
  const RandomStream stream(1, "corrupt");
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind != InputKind::image) continue;
    EXPECT_TRUE(same(c.apply(x, 0, stream, {kUnit}), x)) << c.name;
    double previous = 0.0;
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const Tensor y = c.apply(x, s, stream, {kUnit});
      ASSERT_EQ(y.shape(), x.shape()) << c.name;
      for (std::int64_t i = 0; i < y.numel(); ++i) {
        ASSERT_TRUE(y.ptr()[i] >= 0.0f && y.ptr()[i] <= 1.0f) << c.name << " " << y.ptr()[i];
      }
      const double d = l2(y, x);
      EXPECT_GT(d, previous) << c.name << " at severity " << s;
      previous = d;
    }
  }
}

TEST(CorruptionsTest, ImageCorruptionsKeepAnotherRange) {
  Tensor x = garments(4);
  for (float& v : x.data()) v = 2.0f * v - 1.0f;  // [-1, 1]
  const ValueRange range{-1.0f, 1.0f};
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind != InputKind::image) continue;
    const Tensor y = c.apply(x, 5, RandomStream(2, "range"), {range});
    for (float v : y.data()) ASSERT_TRUE(v >= -1.0f && v <= 1.0f) << c.name << " " << v;
  }
}

TEST(CorruptionsTest, TabularCorruptionsAreTheIdentityAtZeroAndGrowWithSeverity) {
  const Tensor train = table(2000, 1);
  const Tensor x = table(64, 2);
  const FeatureStats stats = FeatureStats::from_training(train, MaskFill::mean);
  const RandomStream stream(3, "tabular");
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind != InputKind::tabular) continue;
    const CorruptionData data{{-1e30f, 1e30f}, &stats};
    EXPECT_TRUE(same(c.apply(x, 0, stream, data), x)) << c.name;
    double previous = 0.0;
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const Tensor y = c.apply(x, s, stream, data);
      ASSERT_EQ(y.shape(), x.shape()) << c.name;
      const double d = l2(y, x);
      EXPECT_GT(d, previous) << c.name << " at severity " << s;
      previous = d;
    }
  }
}

TEST(CorruptionsTest, SameAtOneAndTwoThreadsAndBatchingDoesNotMatter) {
  const Tensor x = garments(64);  // 50,176 elements: several parallel chunks
  const Tensor rows = table(8192, 4);
  const FeatureStats stats = FeatureStats::from_training(rows, MaskFill::marginal);
  const RandomStream stream(9, "threads");
  std::vector<std::int64_t> indices(64);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<std::int64_t>(100 + i);
  std::vector<std::int64_t> row_indices(8192);
  for (std::size_t i = 0; i < row_indices.size(); ++i)
    row_indices[i] = static_cast<std::int64_t>(i);
  const int previous = num_threads();
  for (const Corruption& c : corruption_catalog()) {
    if (c.apply_padded) continue;  // test_corruptions_tokens.cpp, test_corruptions_sequence.cpp
    const bool image = c.kind == InputKind::image;
    const Tensor& in = image ? x : rows;
    const std::vector<std::int64_t>& at = image ? indices : row_indices;
    const CorruptionData data{kUnit, &stats};
    set_num_threads(1);
    const Tensor one = c.apply(in, 4, stream, data);
    const Tensor each_one = corrupt_each(c, in, at, 4, stream, data);
    set_num_threads(2);
    const Tensor two = c.apply(in, 4, stream, data);
    const Tensor each_two = corrupt_each(c, in, at, 4, stream, data);
    EXPECT_TRUE(same(one, two)) << c.name;
    EXPECT_TRUE(same(each_one, each_two)) << c.name;
    // Sample 1 alone, with its dataset index, is corrupted as it was in the batch.
    if (!image) continue;
    const std::int64_t per = 28 * 28;
    const Tensor second = Tensor::from(
        std::span<const float>(x.ptr() + per, static_cast<std::size_t>(per)), {1, 1, 28, 28});
    const std::vector<std::int64_t> alone = {indices[1]};
    const Tensor single = corrupt_each(c, second, alone, 4, stream, data);
    for (std::int64_t i = 0; i < per; ++i)
      ASSERT_EQ(single.ptr()[i], each_two.ptr()[per + i]) << c.name;
  }
  set_num_threads(previous);
}

TEST(CorruptionsTest, BadSeverityAndShapeAreErrors) {
  const Tensor x = garments(1);
  EXPECT_THROW(gaussian_noise(x, 6, RandomStream(0, "s"), kUnit), Error);
  EXPECT_THROW(gaussian_blur(x, -1, RandomStream(0, "s"), kUnit), Error);
  EXPECT_THROW(jpeg_quantise(Tensor::zeros({2, 784}), 1, RandomStream(0, "s"), kUnit), ShapeError);
  const FeatureStats stats = FeatureStats::from_training(table(10, 1), MaskFill::mean);
  EXPECT_THROW(feature_noise(Tensor::zeros({2, 3}), 1, RandomStream(0, "s"), stats), ShapeError);
}

// On a mid-grey image (almost) nothing is clipped at severity 1: the noise's spread is the
// table's, to within the sampling error of 50,176 draws (relative std error of a std:
// 1 / sqrt(2 n) = 0.3%).
TEST(CorruptionsTest, GaussianAndShotNoiseHaveTheirTablesSpread) {
  const Tensor grey = Tensor::full({64, 1, 28, 28}, 0.5f);
  const double n = static_cast<double>(grey.numel());
  auto moments = [&](const Tensor& y) {
    double sum = 0.0, squares = 0.0;
    for (float v : y.data()) {
      sum += v - 0.5;
      squares += (v - 0.5) * (v - 0.5);
    }
    return std::pair{sum / n, std::sqrt(squares / n - (sum / n) * (sum / n))};
  };
  const auto [g_mean, g_std] = moments(gaussian_noise(grey, 1, RandomStream(1, "g"), kUnit));
  EXPECT_NEAR(g_std, 0.08, 0.08 * 0.015);  // clipped beyond 6 sigma only
  EXPECT_NEAR(g_mean, 0.0, 4 * 0.08 / std::sqrt(n));
  // Poisson(0.5 c) / c at severity 1 (c = 60): mean 0.5, variance 0.5 / c.
  const double var = 0.5 / 60.0;
  const auto [s_mean, s_std] = moments(shot_noise(grey, 1, RandomStream(1, "s"), kUnit));
  EXPECT_NEAR(s_std, std::sqrt(var), std::sqrt(var) * 0.02);
  EXPECT_NEAR(s_mean, 0.0, 4 * std::sqrt(var / n));
  // Counts are integers: every value is a multiple of 1 / c.
  for (float v : shot_noise(grey, 1, RandomStream(2, "s"), kUnit).data())
    ASSERT_NEAR(v * 60.0f, std::round(v * 60.0f), 1e-3f);
}

TEST(CorruptionsTest, ImpulseNoiseHitsItsFractionOfPixels) {
  const Tensor grey = Tensor::full({64, 1, 28, 28}, 0.5f);
  const Tensor y = impulse_noise(grey, 5, RandomStream(3, "i"), kUnit);
  double hit = 0.0;
  for (float v : y.data()) hit += v != 0.5f;
  const double n = static_cast<double>(grey.numel());
  EXPECT_NEAR(hit / n, 0.27, 4 * std::sqrt(0.27 * 0.73 / n));
}

TEST(CorruptionsTest, BlursKeepConstantsAndSpreadADeltaBySigmaSquared) {
  const Tensor flat = Tensor::full({1, 1, 20, 20}, 0.3f);
  for (const char* name : {"gaussian_blur", "defocus_blur"}) {
    for (float v : find_corruption(name)->apply(flat, 5, RandomStream(0, "b"), {kUnit}).data())
      ASSERT_NEAR(v, 0.3f, 1e-6f) << name;
  }
  Tensor delta = Tensor::zeros({1, 1, 21, 21});
  delta.ptr()[10 * 21 + 10] = 1.0f;
  const Tensor y = gaussian_blur(delta, 5, RandomStream(0, "b"), kUnit);  // sigma 1
  double total = 0.0, second = 0.0;
  for (std::int64_t r = 0; r < 21; ++r) {
    for (std::int64_t c = 0; c < 21; ++c) {
      total += y.ptr()[r * 21 + c];
      second += y.ptr()[r * 21 + c] * static_cast<double>((r - 10) * (r - 10));
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
  EXPECT_NEAR(second, 1.0, 1e-3);  // the variance along one axis is sigma^2 (truncated at 4 sigma)
}

TEST(CorruptionsTest, JpegUsesLibjpegTablesAndKeepsFlatBlocks) {
  const std::array<float, 64> q50 = jpeg_luminance_table(50);
  EXPECT_EQ(q50[0], 16.0f);
  EXPECT_EQ(q50[63], 99.0f);
  EXPECT_EQ(jpeg_luminance_table(80)[0], 6.0f);   // floor((16 * 40 + 50) / 100)
  EXPECT_EQ(jpeg_luminance_table(7)[0], 114.0f);  // scale 714: floor(11474 / 100)
  // A flat plane is its DC coefficient alone, (v - 128) * 8, quantised by 114 at quality 7.
  const Tensor flat = Tensor::full({1, 1, 16, 16}, 100.0f / 255.0f);
  const float dc = std::round((100.0f - 128.0f) * 8.0f / 114.0f) * 114.0f / 8.0f + 128.0f;
  for (float v : jpeg_quantise(flat, 5, RandomStream(0, "j"), kUnit).data())
    ASSERT_NEAR(v * 255.0f, std::round(dc), 1e-3f);
}

// The intensity-weighted centroid moves by the table's shift; the principal axis of a bar
// turns by the table's angle.
TEST(CorruptionsTest, TranslateMovesByItsPixelsAndRotateTurnsByItsDegrees) {
  Tensor bar = Tensor::zeros({8, 1, 29, 29});
  for (std::int64_t n = 0; n < 8; ++n)
    for (std::int64_t r = 6; r < 23; ++r)
      for (std::int64_t c = 12; c < 17; ++c) bar.ptr()[(n * 29 + r) * 29 + c] = 1.0f;
  auto moments = [](const Tensor& t, std::int64_t n) {
    double m = 0, my = 0, mx = 0, yy = 0, xx = 0, xy = 0;
    for (std::int64_t r = 0; r < 29; ++r) {
      for (std::int64_t c = 0; c < 29; ++c) {
        const double v = t.ptr()[(n * 29 + r) * 29 + c];
        m += v, my += v * r, mx += v * c, yy += v * r * r, xx += v * c * c, xy += v * r * c;
      }
    }
    my /= m, mx /= m;
    const double angle =
        0.5 * std::atan2(2 * (xy / m - mx * my), (yy / m - my * my) - (xx / m - mx * mx));
    return std::array<double, 3>{my, mx, angle * 180.0 / std::numbers::pi};
  };
  const Tensor moved = translate(bar, 3, RandomStream(4, "t"), kUnit);
  const Tensor turned = rotate(bar, 5, RandomStream(4, "r"), kUnit);
  for (std::int64_t n = 0; n < 8; ++n) {
    const auto before = moments(bar, n);
    const auto after = moments(moved, n);
    EXPECT_NEAR(std::hypot(after[0] - before[0], after[1] - before[1]), 3.0, 0.05) << n;
    EXPECT_NEAR(std::abs(moments(turned, n)[2] - before[2]), 15.0, 1.0) << n;
  }
}

TEST(CorruptionsTest, OcclusionBlacksOutMorePatchesAtEachSeverity) {
  const Tensor white = Tensor::ones({32, 1, 28, 28});
  const RandomStream stream(6, "o");
  Tensor previous = white;
  for (int s = 1; s <= kMaxSeverity; ++s) {
    const Tensor y = find_corruption("occlusion")->apply(white, s, stream, {kUnit});
    for (std::int64_t i = 0; i < y.numel(); ++i) {
      ASSERT_TRUE(y.ptr()[i] == 0.0f || y.ptr()[i] == 1.0f);
      ASSERT_LE(y.ptr()[i], previous.ptr()[i]);  // the patches of severity s - 1 stay
    }
    for (std::int64_t n = 0; n < 32; ++n) {
      double black = 0;
      for (std::int64_t i = 0; i < 784; ++i) black += y.ptr()[n * 784 + i] == 0.0f;
      ASSERT_GE(black, 16);        // one patch cut to a corner keeps at least 4 x 4
      ASSERT_LE(black, 49.0 * s);  // at most s whole 7 x 7 patches
    }
    previous = y;
  }
}

TEST(CorruptionsTest, MissingFeaturesAreFilledWithTheTrainingMeanAtTheirRate) {
  const Tensor train = table(1000, 7);
  const FeatureStats stats = FeatureStats::from_training(train, MaskFill::mean);
  const Tensor x = table(5000, 8);
  const Tensor y = missing_features(x, 4, RandomStream(1, "m"), stats);  // rate 0.3
  double missing = 0.0;
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    if (y.ptr()[i] == x.ptr()[i]) continue;
    missing += 1;
    ASSERT_EQ(y.ptr()[i], stats.mean[static_cast<std::size_t>(i % 4)]);
  }
  const double n = static_cast<double>(x.numel());
  EXPECT_NEAR(missing / n, 0.3, 4 * std::sqrt(0.3 * 0.7 / n));
}

TEST(CorruptionsTest, ShiftAndScaleMoveEveryRowOfAFeatureTheSameWay) {
  const Tensor train = table(4000, 1);
  const FeatureStats stats = FeatureStats::from_training(train, MaskFill::mean);
  for (std::int64_t f = 0; f < 4; ++f) {  // table's feature f has std f + 1
    EXPECT_NEAR(stats.std[static_cast<std::size_t>(f)], f + 1.0, 0.05 * (f + 1.0));
  }
  const Tensor x = table(100, 2);
  const Tensor shifted = feature_shift(x, 5, RandomStream(2, "s"), stats);
  const Tensor scaled = feature_scale(x, 5, RandomStream(2, "s"), stats);
  for (std::int64_t f = 0; f < 4; ++f) {
    const double shift = shifted.ptr()[f] - x.ptr()[f];
    EXPECT_NEAR(std::abs(shift), 0.8 * stats.std[static_cast<std::size_t>(f)], 1e-4);
    const float mean = stats.mean[static_cast<std::size_t>(f)];
    const double factor = (scaled.ptr()[f] - mean) / (x.ptr()[f] - mean);
    EXPECT_TRUE(std::abs(factor - 3.0) < 1e-3 || std::abs(factor - 1.0 / 3.0) < 1e-3) << factor;
    for (std::int64_t r = 1; r < 100; ++r) {
      const std::int64_t i = r * 4 + f;
      ASSERT_NEAR(shifted.ptr()[i] - x.ptr()[i], shift, 1e-4);
      ASSERT_NEAR((scaled.ptr()[i] - mean) / (x.ptr()[i] - mean), factor, 1e-3);
    }
  }
}

}  // namespace
}  // namespace dither
