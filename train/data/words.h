#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

class RandomStream;

/// Characters to token ids: 0 is padding, 1 an unknown character, 2 the mask token that
/// token_mask puts in (BERT's [MASK]; it never comes from a word), then the known characters
/// (Unicode code points) in ascending order from 3.
class CharVocabulary {
 public:
  static constexpr std::int32_t kPad = 0;
  static constexpr std::int32_t kUnknown = 1;
  static constexpr std::int32_t kMask = 2;
  static constexpr std::int32_t kFirstChar = 3;

  /// The characters of `words` (UTF-8).
  explicit CharVocabulary(const std::vector<std::string>& words);

  std::int64_t size() const { return static_cast<std::int64_t>(chars_.size()) + kFirstChar; }
  /// Ids of the characters of `word`, truncated to `max_length` and padded with kPad.
  std::vector<std::int32_t> encode(std::string_view word, std::int64_t max_length) const;
  /// The string of each id: "<pad>", "<unk>", "<mask>", then one character each (UTF-8).
  std::vector<std::string> tokens() const;

 private:
  std::vector<char32_t> chars_;
};

/// Code points of UTF-8 `text`; empty when it is not valid UTF-8.
std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

/// One Debian word list: the language's name, its file under the dictionary folder and the
/// package that installs it.
struct WordList {
  std::string language;
  std::string file;
  std::string package;
};

/// english (american-english, wamerican), german (ngerman, wngerman), french (french, wfrench),
/// italian (italian, witalian), spanish (spanish, wspanish).
const std::vector<WordList>& builtin_word_lists();

/// The "words" task: tell a word's language from its characters.
struct WordsOptions {
  std::string dir = "/usr/share/dict";
  std::vector<std::string> languages = {"english", "german", "french", "italian", "spanish"};
  std::int64_t per_language = 2000;  ///< Words per language, train and test together.
  std::int64_t min_length = 3;       ///< Shorter words are left out (in characters).
  std::int64_t max_length = 16;      ///< Longer words are truncated; shorter ones padded.
  double test_fraction = 0.2;        ///< Of each language's words, held out as the test set.
};

/// {train, test} token datasets: words lowercased, letters only, at least min_length characters,
/// and dropped altogether when they appear in more than one of the languages' lists. Every
/// language contributes the same number of words, min(per_language, the smallest list), drawn by
/// `stream`, and the test set takes the same share of each. The vocabulary is built from the
/// training words. Throws ConfigError naming a missing list and the package to install.
std::pair<Dataset, Dataset> load_words(const WordsOptions& options, const RandomStream& stream);

}  // namespace dither
