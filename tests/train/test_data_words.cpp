#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "data/fixtures.h"
#include "train/data/words.h"

namespace dither {
namespace {

using dither::testing::TempDir;

// Two small word lists in the Debian file names; "banana" is in both, so neither may use it.
void write_lists(const TempDir& dir) {
  dir.write("american-english",
            "Apple\napple\ncat's\ndog\nhouse\ngarden\nwindow\nbread\nto\nzebra\nbanana\nriver\n");
  dir.write("ngerman",
            "Haus\nHund\nGarten\nFenster\nBrot\n\xC3\x84pfel\nstra\xC3\x9F\x65\nbanana\nzu\n");
}

WordsOptions options(const TempDir& dir) {
  WordsOptions o;
  o.dir = dir.path().string();
  o.languages = {"english", "german"};
  o.per_language = 100;
  o.max_length = 8;
  o.test_fraction = 0.25;
  return o;
}

// The words of a dataset, read back through its vocabulary.
std::vector<std::string> words_of(const Dataset& ds) {
  std::vector<std::string> out;
  const std::int64_t l = ds.sample_numel();
  for (std::int64_t i = 0; i < ds.size(); ++i) {
    std::string w;
    for (std::int32_t k = 0; k < ds.lengths[static_cast<std::size_t>(i)]; ++k) {
      w += ds.vocabulary[static_cast<std::size_t>(ds.tokens[static_cast<std::size_t>(i * l + k)])];
    }
    out.push_back(w);
  }
  return out;
}

std::vector<std::int64_t> class_counts(const Dataset& ds) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(ds.num_classes));
  for (std::int32_t y : ds.labels) ++counts[static_cast<std::size_t>(y)];
  return counts;
}

TEST(WordsTest, BuildsABalancedTokenTaskWithoutSharedOrShortWords) {
  TempDir dir;
  write_lists(dir);
  const auto [train, test] = load_words(options(dir), RandomStream(1, "words"));
  // english keeps 8 words (apple once; no cat's, to, banana), german 7 (no banana, zu): 7 each.
  EXPECT_EQ(class_counts(train), (std::vector<std::int64_t>{5, 5}));
  EXPECT_EQ(class_counts(test), (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(train.kind, InputKind::tokens);
  EXPECT_EQ(train.class_names, (std::vector<std::string>{"english", "german"}));
  std::vector<std::string> all = words_of(train);
  const std::vector<std::string> held = words_of(test);
  all.insert(all.end(), held.begin(), held.end());
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
  for (const auto& w : all) {
    EXPECT_NE(w, "banana");
    EXPECT_GE(w.size(), 3u);
    EXPECT_EQ(w.find('\''), std::string::npos);
    EXPECT_TRUE(std::none_of(w.begin(), w.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) << w;
  }
}

TEST(WordsTest, GermanCapitalsAreLowercasedAndUmlautsKept) {
  TempDir dir;
  write_lists(dir);
  WordsOptions o = options(dir);
  o.test_fraction = 0.0;
  const auto [train, test] = load_words(o, RandomStream(1, "words"));
  const std::vector<std::string> words = words_of(train);
  // All seven German words are kept here (english has more), so every one of them shows up.
  EXPECT_NE(std::find(words.begin(), words.end(), "\xC3\xA4pfel"), words.end());
  EXPECT_NE(std::find(words.begin(), words.end(), "stra\xC3\x9F\x65"), words.end());
  EXPECT_NE(std::find(words.begin(), words.end(), "haus"), words.end());
  EXPECT_EQ(test.size(), 0);
}

TEST(WordsTest, LongWordsAreTruncatedAndShortOnesPadded) {
  TempDir dir;
  write_lists(dir);
  WordsOptions o = options(dir);
  o.max_length = 4;
  o.test_fraction = 0.0;
  const auto [train, test] = load_words(o, RandomStream(2, "words"));
  EXPECT_EQ(train.sample_shape, (Shape{4}));
  for (std::int64_t i = 0; i < train.size(); ++i) {
    const std::int32_t length = train.lengths[static_cast<std::size_t>(i)];
    EXPECT_GE(length, 3);
    EXPECT_LE(length, 4);
    for (std::int64_t k = 0; k < 4; ++k) {
      const std::int32_t id = train.tokens[static_cast<std::size_t>(i * 4 + k)];
      EXPECT_EQ(id == train.pad_id, k >= length) << "sample " << i << " position " << k;
    }
  }
}

TEST(WordsTest, SameSeedPicksTheSameWordsAndAnotherSeedOthers) {
  TempDir dir;
  write_lists(dir);
  WordsOptions o = options(dir);
  o.per_language = 4;
  const auto a = load_words(o, RandomStream(1, "words"));
  const auto b = load_words(o, RandomStream(1, "words"));
  EXPECT_EQ(words_of(a.first), words_of(b.first));
  bool differs = false;
  for (std::uint64_t seed = 2; seed < 6 && !differs; ++seed) {
    differs = words_of(load_words(o, RandomStream(seed, "words")).first) != words_of(a.first);
  }
  EXPECT_TRUE(differs);
}

TEST(WordsTest, MissingListNamesTheFileAndThePackage) {
  TempDir dir;
  dir.write("american-english", "apple\n");
  try {
    load_words(options(dir), RandomStream(1, "words"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("ngerman")), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("wngerman"), std::string::npos) << e.what();
  }
}

TEST(WordsTest, UnknownLanguageSuggestsAKnownOne) {
  TempDir dir;
  WordsOptions o = options(dir);
  o.languages = {"english", "germn"};
  try {
    load_words(o, RandomStream(1, "words"));
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'german'"), std::string::npos) << e.what();
  }
}

TEST(CharVocabularyTest, ReservesPaddingUnknownAndMaskIds) {
  const CharVocabulary vocab({"ba", "ca\xC3\xA9"});
  EXPECT_EQ(vocab.size(), 3 + 4);  // a b c é
  EXPECT_EQ(vocab.tokens(),
            (std::vector<std::string>{"<pad>", "<unk>", "<mask>", "a", "b", "c", "\xC3\xA9"}));
  EXPECT_EQ(vocab.encode("c\xC3\xA9z", 5), (std::vector<std::int32_t>{5, 6, 1, 0, 0}));
  EXPECT_EQ(vocab.encode("abcabc", 3), (std::vector<std::int32_t>{3, 4, 5}));
}

TEST(Utf8Test, RoundTripsAndRejectsBrokenBytes) {
  const std::string text = "stra\xC3\x9F\x65 \xE2\x82\xAC \xF0\x9F\x98\x80";
  const std::u32string points = decode_utf8(text);
  EXPECT_EQ(points.size(), 10u);
  EXPECT_EQ(points[4], U'\u00DF');
  EXPECT_EQ(encode_utf8(points), text);
  EXPECT_TRUE(decode_utf8("ab\xC3").empty());
  EXPECT_TRUE(decode_utf8("a\xFF").empty());
}

TEST(WordsTest, DebianWordListsGiveFiveBalancedLanguages) {
  for (const WordList& list : builtin_word_lists()) {
    if (!std::filesystem::exists("/usr/share/dict/" + list.file)) {
      GTEST_SKIP() << "package " << list.package << " is not installed";
    }
  }
  WordsOptions o;
  o.per_language = 300;
  const auto [train, test] = load_words(o, RandomStream(7, "words"));
  EXPECT_EQ(class_counts(train), std::vector<std::int64_t>(5, 240));
  EXPECT_EQ(class_counts(test), std::vector<std::int64_t>(5, 60));
  EXPECT_GT(train.vocab_size(), 28);
}

}  // namespace
}  // namespace dither
