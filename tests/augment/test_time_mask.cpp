#include <gtest/gtest.h>

#include <cmath>

#include "augment/time_mask.h"
#include "hook_checks.h"
#include "sequence_testing.h"

namespace dither {
namespace {

using testing::HookRig;

TEST(TimeMaskTest, SpansStayWithinTheLengthAndTheirWidthBounds) {
  std::vector<std::int64_t> lengths;
  for (std::int64_t b = 0; b < 3000; ++b) lengths.push_back(b % 61);
  const TimeMaskOptions options{.count = 3, .max_width = 8, .max_fraction = 0.3};
  const auto spans = time_mask_spans(lengths, options, RandomStream(1, "t"));
  ASSERT_EQ(spans.size(), lengths.size());
  std::int64_t widest = 0;
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    ASSERT_EQ(spans[b].size(), 3u);
    const auto cap = std::min<std::int64_t>(8, static_cast<std::int64_t>(0.3 * lengths[b]));
    for (const TimeSpan& s : spans[b]) {
      ASSERT_GE(s.start, 0);
      ASSERT_GE(s.width, 0);
      ASSERT_LE(s.width, cap) << "length " << lengths[b];
      ASSERT_LE(s.start + s.width, lengths[b]);
      widest = std::max(widest, s.width);
    }
  }
  EXPECT_EQ(widest, 8);  // the bound is reached, not only respected
}

TEST(TimeMaskTest, WidthIsUniformUpToTheFractionOfTheLength) {
  // L = 40 and max_fraction 0.25: widths uniform on {0, ..., 10}, mean 5, variance 10.
  const std::vector<std::int64_t> lengths(6000, 40);
  const auto spans = time_mask_spans(lengths, {.max_fraction = 0.25}, RandomStream(2, "t"));
  double sum = 0.0, sq = 0.0;
  std::vector<int> counts(11, 0);
  for (const auto& sample : spans) {
    sum += static_cast<double>(sample[0].width);
    sq += static_cast<double>(sample[0].width * sample[0].width);
    ++counts[static_cast<std::size_t>(sample[0].width)];
  }
  const double mean = sum / 6000.0;
  EXPECT_NEAR(mean, 5.0, 4.0 * std::sqrt(10.0 / 6000.0));
  EXPECT_NEAR(sq / 6000.0 - mean * mean, 10.0, 0.8);
  for (int c : counts) EXPECT_NEAR(c, 6000.0 / 11.0, 4.0 * std::sqrt(6000.0 / 11.0));
}

TEST(TimeMaskTest, MaskedStepsHoldTheFillAndNothingElseChanges) {
  HookRig rig(testing::sequence_info(30, 2), testing::sequence_model());
  const Batch batch = testing::padded_sequences(rig, 64, 30, 2);
  const auto lengths = testing::lengths_of(batch);
  const auto spans =
      time_mask_spans(lengths, {.count = 2, .max_fraction = 0.5}, RandomStream(3, "t"));
  for (const TimeFill fill : {TimeFill::zero, TimeFill::mean}) {
    const Tensor y = time_mask(batch.inputs, lengths, spans, fill);
    for (std::int64_t b = 0; b < 64; ++b) {
      const std::int64_t length = lengths[static_cast<std::size_t>(b)];
      for (std::int64_t f = 0; f < 2; ++f) {
        double mean = 0.0;
        for (std::int64_t t = 0; t < length; ++t) mean += batch.inputs.ptr()[(b * 30 + t) * 2 + f];
        mean /= std::max<std::int64_t>(length, 1);
        for (std::int64_t t = 0; t < 30; ++t) {
          bool masked = false;
          for (const TimeSpan& s : spans[static_cast<std::size_t>(b)])
            masked = masked || (t >= s.start && t < s.start + s.width);
          const std::int64_t i = (b * 30 + t) * 2 + f;
          if (masked) {
            EXPECT_NEAR(y.ptr()[i], fill == TimeFill::zero ? 0.0 : mean, 1e-5) << b << " " << t;
          } else {
            EXPECT_EQ(y.ptr()[i], batch.inputs.ptr()[i]) << b << " " << t;  // padding too
          }
        }
      }
    }
  }
}

TEST(TimeMaskHookTest, UndefinedLengthsCountAsFullAndEdgeCasesHold) {
  HookRig rig(testing::sequence_info(20, 1), testing::sequence_model());
  auto hook = rig.hook({{"type", "time_mask"}, {"max_fraction", 1.0}, {"count", 4}});
  const Batch full = rig.batch(Tensor::ones({1, 20, 1}), Tensor::zeros({1}));  // batch of 1
  const Tensor y = testing::noised(rig, *hook, full, 0);
  EXPECT_NE(y.to_vector(), full.inputs.to_vector());
  auto zero_count = rig.hook({{"type", "time_mask"}, {"count", 0}});
  EXPECT_EQ(testing::noised(rig, *zero_count, full, 0).ptr(), full.inputs.ptr());
  Batch empty = full;
  empty.lengths = Tensor::zeros({1});  // a sample of length 0 has nothing to mask
  EXPECT_EQ(testing::noised(rig, *hook, empty, 0).to_vector(), full.inputs.to_vector());
}

TEST(TimeMaskHookTest, DeterministicRateAndRoundTrip) {
  HookRig rig(testing::sequence_info(30, 2), testing::sequence_model());
  // 64 samples: more than a parallel chunk, so two threads split the batch.
  const Batch batch = testing::padded_sequences(rig, 64, 30, 2);
  const nlohmann::json spec = {{"type", "time_mask"}, {"count", 2}, {"fill", "mean"}};
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_round_trip(rig, spec);
  testing::expect_round_trip(rig, {{"type", "time_mask"}});
}

TEST(TimeMaskHookTest, RefusesTokensAndImages) {
  InputInfo tokens = testing::tabular_info(8);
  tokens.kind = InputKind::tokens;
  HookRig words(tokens, {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(words, {{"type", "time_mask"}}, "use token_mask");
  HookRig images(testing::image_info(1, 8, 8),
                 {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(images, {{"type", "time_mask"}}, "sequences [T, F]");
  HookRig seq(testing::sequence_info(8, 1), testing::sequence_model());
  testing::expect_refused(seq, {{"type", "time_mask"}, {"max_fraction", 1.5}}, "max_fraction");
}

}  // namespace
}  // namespace dither
