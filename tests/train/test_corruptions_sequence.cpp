#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "corruption_testing.h"
#include "train/corruptions/catalog.h"
#include "train/corruptions/sequence.h"

namespace dither {
namespace {

constexpr std::int64_t kSteps = 64;

// n ramps 0.2 + t / length over lengths 32..64, zero-padded to 64 steps of `features` values
// (feature f scaled by f + 1): smooth, so a shift or a speed change moves every value a little
// more at each severity.
Padded ramps(std::int64_t n, std::int64_t features = 1) {
  const RandomStream stream(4, "ramps");
  Padded x{Tensor::zeros({n, kSteps, features}), Tensor::empty({n})};
  for (std::int64_t b = 0; b < n; ++b) {
    const std::int64_t length = 32 + stream.integer(static_cast<std::uint64_t>(b), 33);
    x.lengths.ptr()[b] = static_cast<float>(length);
    for (std::int64_t t = 0; t < length; ++t) {
      for (std::int64_t f = 0; f < features; ++f) {
        x.inputs.ptr()[(b * kSteps + t) * features + f] =
            static_cast<float>(f + 1) * (0.2f + static_cast<float>(t) / static_cast<float>(length));
      }
    }
  }
  return x;
}

using testing::l2;

bool same(const Padded& a, const Padded& b) {
  return a.inputs.shape() == b.inputs.shape() &&
         std::equal(a.inputs.ptr(), a.inputs.ptr() + a.inputs.numel(), b.inputs.ptr()) &&
         std::equal(a.lengths.ptr(), a.lengths.ptr() + a.lengths.numel(), b.lengths.ptr());
}

std::vector<const Corruption*> sequence_corruptions() {
  std::vector<const Corruption*> out;
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind == InputKind::sequence) out.push_back(&c);
  }
  return out;
}

TEST(SequenceCorruptionsTest, AreFourAndTheIdentityAtZeroAndGrowWithSeverity) {
  const Padded x = ramps(128, 2);
  const RandomStream stream(1, "sequences");
  ASSERT_EQ(sequence_corruptions().size(), 4u);
  for (const Corruption* c : sequence_corruptions()) {
    EXPECT_TRUE(same(c->apply_padded(x, 0, stream, {}), x)) << c->name;
    double previous = 0.0;
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const Padded y = c->apply_padded(x, s, stream, {});
      ASSERT_EQ(y.inputs.shape(), x.inputs.shape()) << c->name;
      const double d = l2(y.inputs, x.inputs);
      EXPECT_GT(d, previous) << c->name << " at severity " << s;
      previous = d;
    }
  }
}

TEST(SequenceCorruptionsTest, KeepLengthsInRangeAndZerosPastThem) {
  const Padded x = ramps(100, 2);
  for (const Corruption* c : sequence_corruptions()) {
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const Padded y = c->apply_padded(x, s, RandomStream(2, "valid"), {});
      for (std::int64_t b = 0; b < 100; ++b) {
        const float n = y.lengths.ptr()[b];
        const float before = x.lengths.ptr()[b];
        ASSERT_TRUE(n >= 1 && n <= kSteps && n == std::floor(n)) << c->name << " " << n;
        if (c->name == "speed_change") {
          const float k = std::array<float, 5>{1.05f, 1.1f, 1.2f, 1.3f, 1.5f}[s - 1];
          const bool faster = std::abs(n - std::round(before / k)) <= 1.0f;
          const bool slower = std::abs(n - std::min<float>(kSteps, std::round(before * k))) <= 1.0f;
          EXPECT_TRUE(faster || slower) << before << " steps became " << n << " at " << k;
        } else {
          EXPECT_EQ(n, before) << c->name;
        }
        for (std::int64_t i = static_cast<std::int64_t>(n) * 2; i < kSteps * 2; ++i)
          ASSERT_EQ(y.inputs.ptr()[b * kSteps * 2 + i], 0.0f) << c->name << " pads with zeros";
      }
    }
  }
}

TEST(SequenceCorruptionsTest, NoiseHasTheTablesSignalToNoiseRatio) {
  const Padded x = ramps(400);
  const std::array<double, 5> snr_db = {20, 15, 10, 5, 0};
  for (int s = 1; s <= kMaxSeverity; ++s) {
    const Padded y = sequence_noise(x, s, RandomStream(3, "snr"));
    double signal = 0.0;
    double noise = 0.0;
    for (std::int64_t i = 0; i < x.inputs.numel(); ++i) {
      signal += double{x.inputs.ptr()[i]} * x.inputs.ptr()[i];
      const double d = y.inputs.ptr()[i] - x.inputs.ptr()[i];
      noise += d * d;
    }
    EXPECT_NEAR(10.0 * std::log10(signal / noise), snr_db[static_cast<std::size_t>(s - 1)], 0.3)
        << "severity " << s;
  }
}

TEST(SequenceCorruptionsTest, TimeShiftRotatesAndDroppedStepsZeroWholeSteps) {
  const Padded x = ramps(50, 2);
  const Padded shifted = time_shift(x, 3, RandomStream(5, "shift"));
  const Padded dropped = dropped_steps(x, 5, RandomStream(5, "drop"));
  std::int64_t zeroed = 0;
  std::int64_t steps = 0;
  for (std::int64_t b = 0; b < 50; ++b) {
    const auto n = static_cast<std::int64_t>(x.lengths.ptr()[b]);
    const float* in = x.inputs.ptr() + b * kSteps * 2;
    const float* out = shifted.inputs.ptr() + b * kSteps * 2;
    // The shift is round(0.2 n) steps one way or the other, the same for both features.
    const auto k = static_cast<std::int64_t>(std::lround(0.2 * static_cast<double>(n)));
    bool forwards = true;
    bool backwards = true;
    for (std::int64_t t = 0; t < n; ++t) {
      for (std::int64_t f = 0; f < 2; ++f) {
        forwards &= out[t * 2 + f] == in[((t - k + n) % n) * 2 + f];
        backwards &= out[t * 2 + f] == in[((t + k) % n) * 2 + f];
      }
    }
    EXPECT_TRUE(forwards || backwards) << "sample " << b;
    const float* d = dropped.inputs.ptr() + b * kSteps * 2;
    for (std::int64_t t = 0; t < n; ++t) {
      ++steps;
      if (d[t * 2] == 0.0f) {
        ++zeroed;
        EXPECT_EQ(d[t * 2 + 1], 0.0f) << "a dropped step loses every feature";
      } else {
        EXPECT_EQ(d[t * 2], in[t * 2]);
      }
    }
  }
  EXPECT_NEAR(static_cast<double>(zeroed) / static_cast<double>(steps), 0.5, 0.05);
}

TEST(SequenceCorruptionsTest, SameAtOneAndTwoThreadsAndSampleAloneAsInTheBatch) {
  const Padded x = ramps(600);  // several parallel chunks
  std::vector<std::int64_t> indices(600);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<std::int64_t>(11 + i);
  const RandomStream stream(9, "threads");
  const int previous = num_threads();
  for (const Corruption* c : sequence_corruptions()) {
    set_num_threads(1);
    const Padded one = corrupt_each(*c, x, indices, 4, stream, {});
    const Padded batch_one = c->apply_padded(x, 4, stream, {});
    set_num_threads(2);
    const Padded two = corrupt_each(*c, x, indices, 4, stream, {});
    EXPECT_TRUE(same(one, two)) << c->name;
    EXPECT_TRUE(same(batch_one, c->apply_padded(x, 4, stream, {}))) << c->name;
    const Padded third{
        Tensor::from(std::span<const float>(x.inputs.ptr() + 2 * kSteps, kSteps), {1, kSteps, 1}),
        Tensor::full({1}, x.lengths.ptr()[2])};
    const std::vector<std::int64_t> alone = {indices[2]};
    const Padded single = corrupt_each(*c, third, alone, 4, stream, {});
    EXPECT_EQ(single.lengths.ptr()[0], two.lengths.ptr()[2]) << c->name;
    EXPECT_TRUE(std::equal(single.inputs.ptr(), single.inputs.ptr() + kSteps,
                           two.inputs.ptr() + 2 * kSteps))
        << c->name;
  }
  set_num_threads(previous);
}

TEST(SequenceCorruptionsTest, BadSeverityOrShapeAreErrors) {
  const Padded x = ramps(2);
  EXPECT_THROW(time_shift(x, -1, RandomStream(0, "x")), Error);
  EXPECT_THROW(speed_change(Padded{Tensor::zeros({2, 8}), {}}, 1, RandomStream(0, "x")),
               ShapeError);
  EXPECT_THROW(dropped_steps(Padded{x.inputs, Tensor::full({3}, 4.0f)}, 1, RandomStream(0, "x")),
               ShapeError);
}

}  // namespace
}  // namespace dither
