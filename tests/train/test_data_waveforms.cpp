#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "train/data/waveforms.h"

namespace dither {
namespace {

WaveformOptions small() {
  WaveformOptions o;
  o.size = 40;
  o.length = 48;
  o.min_length = 20;
  return o;
}

TEST(WaveformsTest, SameSeedGivesTheSameSetAndAnotherSeedDoesNot) {
  const Dataset a = make_waveforms(small(), RandomStream(1, "waves"));
  const Dataset b = make_waveforms(small(), RandomStream(1, "waves"));
  const Dataset c = make_waveforms(small(), RandomStream(2, "waves"));
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.lengths, b.lengths);
  EXPECT_NE(a.values, c.values);
}

TEST(WaveformsTest, SequencesArePaddedAfterTheirLengthAndClassesBalanced) {
  const Dataset ds = make_waveforms(small(), RandomStream(5, "waves"));
  EXPECT_EQ(ds.kind, InputKind::sequence);
  EXPECT_EQ(ds.sample_shape, (Shape{48, 1}));
  EXPECT_EQ(ds.num_classes, 4);
  std::vector<int> counts(4);
  bool lengths_vary = false;
  for (std::int64_t i = 0; i < ds.size(); ++i) {
    const auto length = ds.lengths[static_cast<std::size_t>(i)];
    EXPECT_GE(length, 20);
    EXPECT_LE(length, 48);
    lengths_vary = lengths_vary || length != ds.lengths[0];
    const float* x = ds.values.data() + i * 48;
    double energy = 0.0;
    for (std::int64_t t = 0; t < 48; ++t) {
      if (t >= length) {
        EXPECT_EQ(x[t], 0.0f) << "sample " << i << " step " << t;
      } else {
        energy += x[t] * x[t];
      }
    }
    EXPECT_GT(energy / length, 0.05) << "sample " << i;
    ++counts[static_cast<std::size_t>(ds.labels[static_cast<std::size_t>(i)])];
  }
  EXPECT_TRUE(lengths_vary);
  EXPECT_EQ(counts, (std::vector<int>{10, 10, 10, 10}));
}

TEST(WaveformsTest, SquareWavesTakeTwoLevelsWithoutNoise) {
  WaveformOptions o = small();
  o.noise = 0.0;
  const Dataset ds = make_waveforms(o, RandomStream(6, "waves"));
  const float* x = ds.values.data() + 1 * 48;  // sample 1 is a square wave
  ASSERT_EQ(ds.labels[1], 1);
  for (std::int32_t t = 0; t < ds.lengths[1]; ++t) EXPECT_FLOAT_EQ(std::abs(x[t]), std::abs(x[0]));
}

TEST(WaveformsTest, RejectsInconsistentLengths) {
  WaveformOptions o = small();
  o.min_length = 60;
  EXPECT_THROW(make_waveforms(o, RandomStream(1, "waves")), ConfigError);
}

}  // namespace
}  // namespace dither
