#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "train/corruptions/catalog.h"
#include "train/corruptions/tokens.h"

namespace dither {
namespace {

constexpr std::int64_t kWidth = 24;  // padded width: room for insertions past the longest word
constexpr std::int64_t kVocab = 30;  // ids 0 pad, 1 unknown, 2 mask, then 27 letters

InputInfo vocabulary() {
  InputInfo info;
  info.kind = InputKind::tokens;
  info.sample_shape = {kWidth};
  info.vocab_size = kVocab;
  info.pad_id = 0;
  info.mask_id = 2;
  info.special_ids = {0, 1, 2};
  return info;
}

// n words of 3 to 16 letters (ids 3..29), padded with 0 to kWidth.
Padded words(std::int64_t n, std::uint64_t seed = 4) {
  const RandomStream stream(seed, "words");
  Padded x{Tensor::zeros({n, kWidth}), Tensor::empty({n})};
  for (std::int64_t b = 0; b < n; ++b) {
    const std::int64_t length = 3 + stream.integer(static_cast<std::uint64_t>(b) * 100, 14);
    x.lengths.ptr()[b] = static_cast<float>(length);
    for (std::int64_t t = 0; t < length; ++t) {
      x.inputs.ptr()[b * kWidth + t] =
          static_cast<float>(3 + stream.integer(static_cast<std::uint64_t>(b) * 100 + 1 + t, 27));
    }
  }
  return x;
}

std::vector<float> row(const Padded& x, std::int64_t b) {
  const auto n = static_cast<std::int64_t>(x.lengths.ptr()[b]);
  return {x.inputs.ptr() + b * kWidth, x.inputs.ptr() + b * kWidth + n};
}

// Levenshtein distance: the number of single-token edits between two words.
std::int64_t edits(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<std::int64_t> previous(b.size() + 1);
  std::vector<std::int64_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = static_cast<std::int64_t>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<std::int64_t>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min(
          {previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::int64_t total_edits(const Padded& a, const Padded& b) {
  std::int64_t sum = 0;
  for (std::int64_t i = 0; i < a.inputs.size(0); ++i) sum += edits(row(a, i), row(b, i));
  return sum;
}

bool same(const Padded& a, const Padded& b) {
  return a.inputs.shape() == b.inputs.shape() &&
         std::equal(a.inputs.ptr(), a.inputs.ptr() + a.inputs.numel(), b.inputs.ptr()) &&
         std::equal(a.lengths.ptr(), a.lengths.ptr() + a.lengths.numel(), b.lengths.ptr());
}

std::vector<const Corruption*> token_corruptions() {
  std::vector<const Corruption*> out;
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind == InputKind::tokens) out.push_back(&c);
  }
  return out;
}

TEST(TokenCorruptionsTest, AreFourAndTheIdentityAtZeroAndEditMoreAtEachSeverity) {
  const InputInfo vocab = vocabulary();
  const CorruptionData data{{0.0f, kVocab - 1.0f}, nullptr, &vocab};
  const Padded x = words(256);
  const RandomStream stream(1, "tokens");
  ASSERT_EQ(token_corruptions().size(), 4u);
  for (const Corruption* c : token_corruptions()) {
    EXPECT_TRUE(same(c->apply_padded(x, 0, stream, data), x)) << c->name;
    std::int64_t previous = 0;
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const std::int64_t d = total_edits(x, c->apply_padded(x, s, stream, data));
      EXPECT_GT(d, previous) << c->name << " at severity " << s;
      previous = d;
    }
    // About the table's rate of the 2,400 letters at severity 5 (0.3; a swap is 2 edits).
    EXPECT_GT(previous, 400) << c->name;
  }
}

TEST(TokenCorruptionsTest, KeepWordIdsLengthsAndPaddingConsistent) {
  const InputInfo vocab = vocabulary();
  const CorruptionData data{{0.0f, kVocab - 1.0f}, nullptr, &vocab};
  const Padded x = words(200);
  for (const Corruption* c : token_corruptions()) {
    for (int s = 1; s <= kMaxSeverity; ++s) {
      const Padded y = c->apply_padded(x, s, RandomStream(2, "valid"), data);
      ASSERT_EQ(y.inputs.shape(), x.inputs.shape()) << c->name;
      ASSERT_EQ(y.lengths.shape(), x.lengths.shape()) << c->name;
      for (std::int64_t b = 0; b < 200; ++b) {
        const float n = y.lengths.ptr()[b];
        ASSERT_TRUE(n >= 1 && n <= kWidth && n == std::floor(n)) << c->name << " " << n;
        for (std::int64_t t = 0; t < kWidth; ++t) {
          const float id = y.inputs.ptr()[b * kWidth + t];
          if (t < n) {
            ASSERT_TRUE(id >= 3 && id < kVocab) << c->name << ": special or bad id " << id;
          } else {
            ASSERT_EQ(id, 0.0f) << c->name << ": no padding after the length";
          }
        }
      }
      if (c->name == "token_deletion") {
        for (std::int64_t b = 0; b < 200; ++b) EXPECT_LE(y.lengths.ptr()[b], x.lengths.ptr()[b]);
      }
      if (c->name == "token_insertion") {
        for (std::int64_t b = 0; b < 200; ++b) EXPECT_GE(y.lengths.ptr()[b], x.lengths.ptr()[b]);
      }
      if (c->name == "token_substitution" || c->name == "token_swap") {
        EXPECT_TRUE(std::equal(x.lengths.ptr(), x.lengths.ptr() + 200, y.lengths.ptr()));
      }
    }
  }
}

TEST(TokenCorruptionsTest, SwapKeepsTheLettersAndSubstitutionAlwaysChangesOne) {
  const InputInfo vocab = vocabulary();
  const Padded x = words(100);
  const Padded swapped = token_swap(x, 5, RandomStream(3, "swap"), vocab);
  for (std::int64_t b = 0; b < 100; ++b) {
    std::vector<float> a = row(x, b);
    std::vector<float> s = row(swapped, b);
    std::sort(a.begin(), a.end());
    std::sort(s.begin(), s.end());
    EXPECT_EQ(a, s) << "a swap keeps the letters of word " << b;
  }
  // Two word ids only: a substitution that could draw the letter itself would change half of
  // the hit letters (15% at severity 5), one that never does changes all of them (30%).
  InputInfo two = vocab;
  two.vocab_size = 5;
  Padded binary = words(400);
  for (std::int64_t i = 0; i < binary.inputs.numel(); ++i) {
    float& v = binary.inputs.ptr()[i];
    if (v != 0.0f) v = 3.0f + static_cast<float>(i % 2);
  }
  const Padded substituted = token_substitution(binary, 5, RandomStream(3, "sub"), two);
  std::int64_t changed = 0;
  std::int64_t letters = 0;
  for (std::int64_t b = 0; b < 400; ++b) {
    const std::vector<float> before = row(binary, b);
    const std::vector<float> after = row(substituted, b);
    for (std::size_t t = 0; t < before.size(); ++t) changed += before[t] != after[t] ? 1 : 0;
    letters += static_cast<std::int64_t>(before.size());
  }
  EXPECT_NEAR(static_cast<double>(changed) / static_cast<double>(letters), 0.3, 0.03);
}

TEST(TokenCorruptionsTest, SameAtOneAndTwoThreadsAndSampleAloneAsInTheBatch) {
  const InputInfo vocab = vocabulary();
  const CorruptionData data{{0.0f, kVocab - 1.0f}, nullptr, &vocab};
  const Padded x = words(2048);  // several parallel chunks
  std::vector<std::int64_t> indices(2048);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<std::int64_t>(7 + i);
  const RandomStream stream(9, "threads");
  const int previous = num_threads();
  for (const Corruption* c : token_corruptions()) {
    set_num_threads(1);
    const Padded one = corrupt_each(*c, x, indices, 4, stream, data);
    set_num_threads(2);
    const Padded two = corrupt_each(*c, x, indices, 4, stream, data);
    EXPECT_TRUE(same(one, two)) << c->name;
    EXPECT_TRUE(same(c->apply_padded(x, 4, stream, data), c->apply_padded(x, 4, stream, data)));
    const Padded third{
        Tensor::from(std::span<const float>(x.inputs.ptr() + 2 * kWidth, kWidth), {1, kWidth}),
        Tensor::full({1}, x.lengths.ptr()[2])};
    const std::vector<std::int64_t> alone = {indices[2]};
    const Padded single = corrupt_each(*c, third, alone, 4, stream, data);
    EXPECT_EQ(row(single, 0), row(two, 2)) << c->name;
  }
  set_num_threads(previous);
}

TEST(TokenCorruptionsTest, BadSeverityShapeOrVocabularyAreErrors) {
  const InputInfo vocab = vocabulary();
  const Padded x = words(2);
  EXPECT_THROW(token_deletion(x, 6, RandomStream(0, "x"), vocab), Error);
  EXPECT_THROW(token_swap(Padded{Tensor::zeros({2, 3, 4, 5}), {}}, 1, RandomStream(0, "x"), vocab),
               ShapeError);
  InputInfo tiny = vocab;
  tiny.vocab_size = 4;  // one word id only: substitution has nothing to draw
  EXPECT_THROW(token_substitution(x, 1, RandomStream(0, "x"), tiny), Error);
  const Padded bad_lengths{x.inputs, Tensor::full({2}, 30.0f)};
  EXPECT_THROW(token_insertion(bad_lengths, 1, RandomStream(0, "x"), vocab), ShapeError);
}

}  // namespace
}  // namespace dither
