#include <gtest/gtest.h>

#include <cmath>

#include "augment/temporal_dropout.h"
#include "hook_checks.h"
#include "sequence_testing.h"

namespace dither {
namespace {

using testing::HookRig;

TEST(TemporalDropoutTest, DropsValidStepsAtTheRateAndNeverThePadding) {
  HookRig rig(testing::sequence_info(50, 3), testing::sequence_model());
  const Batch batch = testing::padded_sequences(rig, 400, 50, 3);
  const auto lengths = testing::lengths_of(batch);
  const Tensor y =
      temporal_dropout(batch.inputs, lengths, 0.2f, StepFill::zero, RandomStream(1, "t"));
  std::int64_t valid = 0, dropped = 0;
  for (std::int64_t b = 0; b < 400; ++b) {
    for (std::int64_t t = 0; t < 50; ++t) {
      const float* in = batch.inputs.ptr() + (b * 50 + t) * 3;
      const float* out = y.ptr() + (b * 50 + t) * 3;
      const bool zeroed = out[0] == 0.0f;
      for (int f = 0; f < 3; ++f) {
        ASSERT_EQ(out[f] == 0.0f, zeroed) << "a step drops with all its features";
        if (!zeroed) {
          ASSERT_EQ(out[f], in[f]);
        }
      }
      if (t >= lengths[static_cast<std::size_t>(b)]) {
        ASSERT_FALSE(zeroed) << "padding of sample " << b << " touched at " << t;
        continue;
      }
      ++valid;
      dropped += zeroed;
    }
  }
  ASSERT_GT(valid, 8000);
  const double n = static_cast<double>(valid);
  EXPECT_NEAR(static_cast<double>(dropped) / n, 0.2, 4.0 * std::sqrt(0.2 * 0.8 / n));
}

TEST(TemporalDropoutTest, PreviousFillHoldsTheLastKeptStep) {
  // x[b, t, f] = 1 + t + f / 10: each step is told apart by its value.
  const std::int64_t steps = 40;
  Tensor x = Tensor::empty({50, steps, 2});
  for (std::int64_t i = 0; i < x.numel(); ++i)
    x.ptr()[i] = 1.0f + static_cast<float>((i / 2) % steps) + 0.1f * static_cast<float>(i % 2);
  const std::vector<std::int64_t> lengths(50, steps);
  const RandomStream stream(2, "t");
  const Tensor zero = temporal_dropout(x, lengths, 0.3f, StepFill::zero, stream);
  const Tensor held = temporal_dropout(x, lengths, 0.3f, StepFill::previous, stream);
  std::int64_t drops = 0;
  for (std::int64_t b = 0; b < 50; ++b) {
    std::int64_t last_kept = -1;
    for (std::int64_t t = 0; t < steps; ++t) {
      const std::int64_t i = (b * steps + t) * 2;
      if (zero.ptr()[i] != 0.0f) {
        last_kept = t;
        ASSERT_EQ(held.ptr()[i], x.ptr()[i]);
        continue;
      }
      ++drops;  // the same steps drop under both fills
      const float expected = last_kept < 0 ? 0.0f : x.ptr()[(b * steps + last_kept) * 2];
      ASSERT_EQ(held.ptr()[i], expected) << b << " " << t;
      ASSERT_EQ(held.ptr()[i + 1], last_kept < 0 ? 0.0f : expected + 0.1f);
    }
  }
  EXPECT_NEAR(static_cast<double>(drops) / 2000.0, 0.3, 4.0 * std::sqrt(0.3 * 0.7 / 2000.0));
}

TEST(TemporalDropoutHookTest, DeterministicRateRampAndRoundTrip) {
  HookRig rig(testing::sequence_info(30, 2), testing::sequence_model());
  // 64 samples: more than a parallel chunk, so two threads split the batch.
  const Batch batch = testing::padded_sequences(rig, 64, 30, 2);
  const nlohmann::json spec = {{"type", "temporal_dropout"}, {"rate", 0.1}};
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_round_trip(rig, {{"type", "temporal_dropout"}, {"fill", "previous"}});
  auto ramped = rig.hook({{"type", "temporal_dropout"}, {"rate", 0.5}, {"ramp_epochs", 2}});
  StepContext start = rig.context(0, 0);
  start.batch_index = 0;
  Batch copy = batch;
  ramped->on_batch(start, copy);
  EXPECT_EQ(copy.inputs.ptr(), batch.inputs.ptr());  // strength 0 at the start of the ramp
  auto zero = rig.hook({{"type", "temporal_dropout"}, {"rate", 0.0}});
  EXPECT_EQ(testing::noised(rig, *zero, batch, 0).ptr(), batch.inputs.ptr());
}

TEST(TemporalDropoutHookTest, RefusesTokensAndTables) {
  InputInfo tokens = testing::tabular_info(8);
  tokens.kind = InputKind::tokens;
  HookRig words(tokens, {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(words, {{"type", "temporal_dropout"}}, "use token_mask");
  HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  testing::expect_refused(table, {{"type", "temporal_dropout"}}, "tabular data of shape [4]");
  HookRig seq(testing::sequence_info(8, 1), testing::sequence_model());
  testing::expect_refused(seq, {{"type", "temporal_dropout"}, {"fill", "bfill"}}, "fill");
}

}  // namespace
}  // namespace dither
