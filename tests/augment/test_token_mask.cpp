#include <gtest/gtest.h>

#include <cmath>

#include "augment/token_mask.h"
#include "hook_checks.h"
#include "sequence_testing.h"

namespace dither {
namespace {

using testing::HookRig;

constexpr std::int64_t kSteps = 16;
constexpr std::int64_t kVocab = 30;  // 0 pad, 1 unknown, 2 mask, 3..29 regular

InputInfo token_info() {
  InputInfo info;
  info.kind = InputKind::tokens;
  info.sample_shape = {kSteps};
  info.num_classes = 3;
  info.vocab_size = kVocab;
  info.pad_id = 0;
  info.mask_id = 2;
  info.special_ids = {0, 1, 2};
  return info;
}

nlohmann::json token_model() {
  return nlohmann::json::parse(
      R"([{"type": "embedding", "num_embeddings": 30, "dim": 2}, {"type": "flatten"},
          {"type": "linear", "out": 3}])");
}

// n words of lengths in [3, 16]: regular ids, one in 20 the unknown id, padded with 0.
Batch words(HookRig& rig, std::int64_t n) {
  const RandomStream s(5, "words");
  Tensor x = Tensor::zeros({n, kSteps});
  Tensor lengths = Tensor::empty({n});
  for (std::int64_t b = 0; b < n; ++b) {
    const std::int64_t length = 3 + s.child(0).integer(static_cast<std::uint64_t>(b), 14);
    lengths.ptr()[b] = static_cast<float>(length);
    for (std::int64_t t = 0; t < length; ++t) {
      const auto i = static_cast<std::uint64_t>(b * kSteps + t);
      x.ptr()[i] =
          s.child(1).integer(i, 20) == 0 ? 1.0f : static_cast<float>(3 + s.child(2).integer(i, 27));
    }
  }
  Batch batch = rig.batch(x, Tensor::zeros({n}));
  batch.lengths = lengths;
  return batch;
}

TokenVocabulary vocabulary() { return {2, kVocab, {0, 1, 2}}; }

TEST(TokenMaskTest, SelectsTheRateAndSplitsItEightyTenTen) {
  HookRig rig(token_info(), token_model());
  const Batch batch = words(rig, 8000);
  const auto lengths = testing::lengths_of(batch);
  const TokenMaskResult r =
      token_mask(batch.inputs, lengths, TokenMaskOptions{}, vocabulary(), RandomStream(1, "t"));
  std::int64_t candidates = 0, selected = 0, masked = 0, random = 0, kept = 0;
  double random_sum = 0.0;
  for (std::int64_t i = 0; i < batch.inputs.numel(); ++i) {
    const float before = batch.inputs.ptr()[i];
    const float after = r.tokens.ptr()[i];
    const bool valid = i % kSteps < lengths[static_cast<std::size_t>(i / kSteps)];
    const TokenAction action = r.actions[static_cast<std::size_t>(i)];
    if (!valid || before <= 2.0f) {  // padding and special tokens are never touched
      ASSERT_EQ(action, TokenAction::untouched) << i;
      ASSERT_EQ(after, before) << i;
      continue;
    }
    ++candidates;
    switch (action) {
      case TokenAction::untouched:
      case TokenAction::kept:
        ASSERT_EQ(after, before);
        kept += action == TokenAction::kept;
        break;
      case TokenAction::masked:
        ASSERT_EQ(after, 2.0f);
        ++masked;
        break;
      case TokenAction::random:
        ASSERT_GE(after, 3.0f);  // a regular token, never a special one
        ASSERT_LE(after, 29.0f);
        ++random;
        random_sum += after;
        break;
    }
    selected += action != TokenAction::untouched;
  }
  auto tolerance = [](double p, std::int64_t n) {
    return 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n));
  };
  const auto share = [](std::int64_t a, std::int64_t b) {
    return static_cast<double>(a) / static_cast<double>(b);
  };
  ASSERT_GT(candidates, 50'000);
  EXPECT_NEAR(share(selected, candidates), 0.15, tolerance(0.15, candidates));
  EXPECT_NEAR(share(masked, selected), 0.8, tolerance(0.8, selected));
  EXPECT_NEAR(share(random, selected), 0.1, tolerance(0.1, selected));
  EXPECT_NEAR(share(kept, selected), 0.1, tolerance(0.1, selected));
  // Random tokens are uniform over the 27 regular ids 3..29: mean 16, std sqrt((27^2 - 1) / 12).
  EXPECT_NEAR(random_sum / static_cast<double>(random), 16.0,
              4.0 * std::sqrt((27.0 * 27.0 - 1.0) / 12.0 / static_cast<double>(random)));
}

TEST(TokenMaskTest, ExactCountSelectsBertsNumberPerSample) {
  HookRig rig(token_info(), token_model());
  const Batch batch = words(rig, 500);
  const auto lengths = testing::lengths_of(batch);
  for (const double rate : {0.15, 0.5}) {
    const TokenMaskResult r = token_mask(batch.inputs, lengths, {.rate = rate, .exact = true},
                                         vocabulary(), RandomStream(2, "t"));
    for (std::int64_t b = 0; b < 500; ++b) {
      std::int64_t n = 0, selected = 0;
      for (std::int64_t t = 0; t < lengths[static_cast<std::size_t>(b)]; ++t) {
        n += batch.inputs.ptr()[b * kSteps + t] > 2.0f;
        selected += r.actions[static_cast<std::size_t>(b * kSteps + t)] != TokenAction::untouched;
      }
      const auto expected = std::min<std::int64_t>(
          n, std::max<std::int64_t>(1, std::llround(rate * static_cast<double>(n))));
      ASSERT_EQ(selected, expected) << "sample " << b << " of " << n << " candidates";
    }
  }
}

TEST(TokenMaskHookTest, DeterministicRateAndRoundTrip) {
  HookRig rig(token_info(), token_model());
  const Batch batch = words(rig, 9);
  const nlohmann::json spec = {{"type", "token_mask"}, {"rate", 0.3}};
  testing::expect_deterministic(rig, spec, batch);
  testing::expect_fires_at_rate_p(rig, spec, batch);
  testing::expect_round_trip(rig, spec);
  testing::expect_round_trip(rig, {{"type", "token_mask"}, {"count", "exact"}});
  auto off = rig.hook({{"type", "token_mask"}, {"rate", 0.0}});
  EXPECT_EQ(testing::noised(rig, *off, batch, 0).ptr(), batch.inputs.ptr());
  Batch one = words(rig, 1);  // a batch of one, all positions selected
  auto all = rig.hook(
      {{"type", "token_mask"}, {"rate", 1.0}, {"mask_fraction", 1.0}, {"random_fraction", 0.0}});
  const Tensor y = testing::noised(rig, *all, one, 0);
  for (std::int64_t t = 0; t < kSteps; ++t) {
    const float before = one.inputs.ptr()[t];
    EXPECT_EQ(y.ptr()[t], before <= 2.0f ? before : 2.0f) << t;
  }
}

TEST(TokenMaskHookTest, RefusesOtherInputsAndAVocabularyWithoutMask) {
  HookRig seq(testing::sequence_info(8, 1), testing::sequence_model());
  testing::expect_refused(seq, {{"type", "token_mask"}}, "use time_mask or temporal_dropout");
  InputInfo no_mask = token_info();
  no_mask.mask_id = -1;
  HookRig plain(no_mask, token_model());
  testing::expect_refused(plain, {{"type", "token_mask"}}, "needs a mask token");
  HookRig words_rig(token_info(), token_model());
  testing::expect_refused(
      words_rig, {{"type", "token_mask"}, {"mask_fraction", 0.9}, {"random_fraction", 0.2}},
      "at most 1");
}

}  // namespace
}  // namespace dither
