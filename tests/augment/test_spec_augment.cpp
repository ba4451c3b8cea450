#include <gtest/gtest.h>

#include <cmath>

#include "augment/spec_augment.h"
#include "hook_checks.h"

namespace dither {
namespace {

const nlohmann::json kLinear = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 10}}};
constexpr std::int64_t kBands = 40;
constexpr std::int64_t kFrames = 60;

// Spectrograms [b, 1, 40, 60] holding 1 + their cell index (no cell equals a fill), lengths
// cycling through 60, 45, 30, 17.
Batch spectrograms(testing::HookRig& rig, std::int64_t b) {
  Tensor x = Tensor::empty({b, 1, kBands, kFrames});
  for (std::int64_t i = 0; i < x.numel(); ++i) x.ptr()[i] = 1.0f + static_cast<float>(i % 2400);
  Batch batch = rig.batch(x, Tensor::zeros({b}));
  batch.lengths = Tensor::empty({b});
  constexpr float kLengths[] = {60, 45, 30, 17};
  for (std::int64_t i = 0; i < b; ++i) batch.lengths.ptr()[i] = kLengths[i % 4];
  return batch;
}

TEST(SpecAugmentTest, MaskCountsAndWidthsStayInTheirBounds) {
  SpecAugmentOptions o;
  o.freq_masks = 2;
  o.freq_width = 8;
  o.time_masks = 3;
  o.time_width = 20;
  o.max_time_fraction = 0.2;
  o.time_warp = 5;
  const RandomStream stream(3, "masks");
  double freq_sum = 0.0;
  double time_sum = 0.0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const SpecMasks m =
        draw_spec_masks(o, kBands, 100, stream.child(static_cast<std::uint64_t>(i)));
    ASSERT_EQ(m.freq.size(), 2u);
    ASSERT_EQ(m.time.size(), 3u);
    for (const MaskSpan& f : m.freq) {
      ASSERT_GE(f.width, 0);
      ASSERT_LE(f.width, 8);
      ASSERT_GE(f.start, 0);
      ASSERT_LE(f.start + f.width, kBands);
      freq_sum += static_cast<double>(f.width);
    }
    for (const MaskSpan& t : m.time) {
      ASSERT_LE(t.width, 20);  // floor(0.2 * 100) = 20 = T here
      ASSERT_GE(t.start, 0);
      ASSERT_LE(t.start + t.width, 100);
      time_sum += static_cast<double>(t.width);
    }
    ASSERT_LE(std::abs(m.warp_to - m.warp_from), 5);
    ASSERT_GT(m.warp_from, 5);
    ASSERT_LT(m.warp_from, 94);
  }
  // Widths are uniform on {0..F}: mean F / 2, variance ((F + 1)^2 - 1) / 12.
  EXPECT_NEAR(freq_sum / (2 * n), 4.0, 5.0 * std::sqrt(80.0 / 12.0 / (2 * n)));
  EXPECT_NEAR(time_sum / (3 * n), 10.0, 5.0 * std::sqrt(440.0 / 12.0 / (3 * n)));
  // The proportion caps the width below T: a 30-frame clip masks at most 6 frames at 0.2.
  for (int i = 0; i < 2000; ++i) {
    for (const MaskSpan& t : draw_spec_masks(o, kBands, 30, stream.child(90000 + i)).time) {
      ASSERT_LE(t.width, 6);
    }
  }
}

TEST(SpecAugmentTest, MasksFillTheSampleMeanAndNeverPassTheLength) {
  testing::HookRig rig(testing::spectrogram_info(kBands, kFrames), kLinear);
  const Batch batch = spectrograms(rig, 8);
  SpecAugmentOptions o;
  o.freq_width = 10;
  o.time_width = 40;
  o.time_warp = 0;
  const RandomStream stream(5, "fill");
  const Tensor y = spec_augment(batch.inputs, batch.lengths, o, stream);
  for (std::int64_t i = 0; i < 8; ++i) {
    const auto length = static_cast<std::int64_t>(batch.lengths.ptr()[i]);
    const SpecMasks m =
        draw_spec_masks(o, kBands, length, stream.child(static_cast<std::uint64_t>(i)));
    double sum = 0.0;
    for (std::int64_t b = 0; b < kBands; ++b) {
      for (std::int64_t t = 0; t < length; ++t)
        sum += batch.inputs.ptr()[(i * kBands + b) * kFrames + t];
    }
    const auto mean = static_cast<float>(sum / static_cast<double>(kBands * length));
    for (std::int64_t b = 0; b < kBands; ++b) {
      for (std::int64_t t = 0; t < kFrames; ++t) {
        const std::int64_t k = (i * kBands + b) * kFrames + t;
        bool masked = false;
        for (const MaskSpan& f : m.freq) masked |= b >= f.start && b < f.start + f.width;
        for (const MaskSpan& s : m.time) masked |= t >= s.start && t < s.start + s.width;
        masked &= t < length;
        ASSERT_EQ(y.ptr()[k], masked ? mean : batch.inputs.ptr()[k]) << i << " " << b << " " << t;
      }
    }
  }
}

TEST(SpecAugmentTest, TimeWarpMovesTheWarpPointAndKeepsTheEnds) {
  // A ramp in time: warped, frame `to` holds the old frame `from`, ends stay, padding untouched.
  Tensor x = Tensor::empty({1, 1, 2, 50});
  for (std::int64_t b = 0; b < 2; ++b) {
    for (std::int64_t t = 0; t < 50; ++t)
      x.ptr()[b * 50 + t] = t < 40 ? static_cast<float>(t) : -1.0f;
  }
  SpecAugmentOptions o;
  o.freq_masks = 0;
  o.time_masks = 0;
  o.time_warp = 8;
  const Tensor lengths = Tensor::full({1}, 40.0f);
  for (int seed = 0; seed < 20; ++seed) {
    const RandomStream stream(static_cast<std::uint64_t>(seed), "warp");
    const SpecMasks m = draw_spec_masks(o, 2, 40, stream.child(0));
    const Tensor y = spec_augment(x, lengths, o, stream);
    for (std::int64_t b = 0; b < 2; ++b) {
      EXPECT_FLOAT_EQ(y.ptr()[b * 50 + m.warp_to], static_cast<float>(m.warp_from));
      EXPECT_FLOAT_EQ(y.ptr()[b * 50], 0.0f);
      EXPECT_FLOAT_EQ(y.ptr()[b * 50 + 39], 39.0f);
      for (std::int64_t t = 40; t < 50; ++t) EXPECT_EQ(y.ptr()[b * 50 + t], -1.0f);
    }
  }
}

TEST(SpecAugmentTest, HookChecks) {
  testing::HookRig rig(testing::spectrogram_info(kBands, kFrames), kLinear);
  const nlohmann::json spec = {
      {"type", "spec_augment"}, {"freq_width", 8}, {"time_width", 10}, {"time_warp", 3}};
  const Batch batch = spectrograms(rig, 5);
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_round_trip(rig, spec);
  testing::expect_round_trip(rig, {{"type", "spec_augment"}, {"fill", "zero"}});
  EXPECT_EQ(rig.hook({{"type", "spec_augment"}})->to_json().at("time_width"), 100);
  // Batch of one, and no masks at all: the inputs pass unchanged in value.
  const Batch one = spectrograms(rig, 1);
  EXPECT_EQ(testing::noised(rig, *rig.hook(spec), one, 2).shape(), one.inputs.shape());
  auto none =
      rig.hook({{"type", "spec_augment"}, {"freq_masks", 0}, {"time_masks", 0}, {"time_warp", 0}});
  EXPECT_EQ(testing::noised(rig, *none, batch, 1).to_vector(), batch.inputs.to_vector());
}

TEST(SpecAugmentTest, RefusedOffSpectrograms) {
  testing::HookRig images(testing::image_info(1, 8, 8), kLinear);
  testing::expect_refused(images, {{"type", "spec_augment"}}, "cutout");
  testing::HookRig waves(testing::waveform_info(100), kLinear);
  testing::expect_refused(waves, {{"type", "spec_augment"}}, "spectrograms");
  testing::HookRig rig(testing::spectrogram_info(kBands, kFrames), kLinear);
  testing::expect_refused(rig, {{"type", "spec_augment"}, {"fill", "noise"}}, "noise[3].fill");
}

}  // namespace
}  // namespace dither
