#include "train/data/words.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/random.h"

namespace dither {
namespace {

// Lowercase for ASCII and Latin-1, the letters the word lists' capitals use.
char32_t to_lower(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  return c;
}

// Latin letters only: apostrophes, hyphens and digits mark possessives, compounds and codes.
bool is_letter(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= 0xC0 && c < 0x250 && c != 0xD7 && c != 0xF7);
}

const WordList& find_list(const std::string& language) {
  std::vector<std::string> known;
  for (const WordList& list : builtin_word_lists()) {
    if (list.language == language) return list;
    known.push_back(list.language);
  }
  std::string choices;
  for (const auto& k : known) choices += (choices.empty() ? "" : ", ") + k;
  throw ConfigError("words: unknown language '" + language + "'" + did_you_mean(language, known) +
                    "; choose from: " + choices);
}

// The list's words, lowercased, filtered and sorted without repeats.
std::vector<std::string> read_list(const std::string& dir, const WordList& list,
                                   std::int64_t min_length) {
  const std::string path = (std::filesystem::path(dir) / list.file).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path + ": no such file; install the package " + list.package +
                      " (word list for " + list.language + ")");
  }
  std::vector<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::u32string word = decode_utf8(line);
    std::transform(word.begin(), word.end(), word.begin(), to_lower);
    if (static_cast<std::int64_t>(word.size()) < min_length ||
        !std::all_of(word.begin(), word.end(), is_letter)) {
      continue;
    }
    words.push_back(encode_utf8(word));
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

// Removes from every list the words that occur in more than one of them (lists sorted, unique).
void drop_shared(std::vector<std::vector<std::string>>& lists) {
  std::vector<std::string> shared;
  for (std::size_t i = 0; i < lists.size(); ++i) {
    for (std::size_t j = i + 1; j < lists.size(); ++j) {
      std::set_intersection(lists[i].begin(), lists[i].end(), lists[j].begin(), lists[j].end(),
                            std::back_inserter(shared));
    }
  }
  std::sort(shared.begin(), shared.end());
  shared.erase(std::unique(shared.begin(), shared.end()), shared.end());
  for (auto& list : lists) {
    std::vector<std::string> kept;
    std::set_difference(std::make_move_iterator(list.begin()), std::make_move_iterator(list.end()),
                        shared.begin(), shared.end(), std::back_inserter(kept));
    list = std::move(kept);
  }
}

Dataset make_words_dataset(const std::vector<std::string>& words,
                           const std::vector<std::int32_t>& labels, const CharVocabulary& vocab,
                           const WordsOptions& options) {
  Dataset ds;
  ds.name = "words";
  ds.kind = InputKind::tokens;
  ds.sample_shape = {options.max_length};
  ds.num_classes = static_cast<std::int64_t>(options.languages.size());
  ds.class_names = options.languages;
  ds.vocabulary = vocab.tokens();
  ds.pad_id = CharVocabulary::kPad;
  ds.mask_id = CharVocabulary::kMask;
  ds.special_ids = {CharVocabulary::kPad, CharVocabulary::kUnknown, CharVocabulary::kMask};
  ds.value_range = {0.0f, static_cast<float>(vocab.size() - 1)};
  ds.labels = labels;
  for (const auto& w : words) {
    const std::vector<std::int32_t> ids = vocab.encode(w, options.max_length);
    ds.tokens.insert(ds.tokens.end(), ids.begin(), ids.end());
    const auto length = std::min<std::int64_t>(static_cast<std::int64_t>(decode_utf8(w).size()),
                                               options.max_length);
    ds.lengths.push_back(static_cast<std::int32_t>(length));
  }
  ds.validate();
  return ds;
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const int extra = lead < 0x80           ? 0
                      : (lead >> 5) == 0x6  ? 1
                      : (lead >> 4) == 0xE  ? 2
                      : (lead >> 3) == 0x1E ? 3
                                            : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size()) return {};
    char32_t c = extra == 0 ? lead : lead & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) return {};
      c = (c << 6) | (next & 0x3F);
    }
    out.push_back(c);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

CharVocabulary::CharVocabulary(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    const std::u32string chars = decode_utf8(w);
    chars_.insert(chars_.end(), chars.begin(), chars.end());
  }
  std::sort(chars_.begin(), chars_.end());
  chars_.erase(std::unique(chars_.begin(), chars_.end()), chars_.end());
}

std::vector<std::int32_t> CharVocabulary::encode(std::string_view word,
                                                 std::int64_t max_length) const {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(max_length), kPad);
  const std::u32string chars = decode_utf8(word);
  for (std::size_t k = 0; k < chars.size() && k < ids.size(); ++k) {
    const auto it = std::lower_bound(chars_.begin(), chars_.end(), chars[k]);
    ids[k] = it != chars_.end() && *it == chars[k]
                 ? static_cast<std::int32_t>(it - chars_.begin()) + kFirstChar
                 : kUnknown;
  }
  return ids;
}

std::vector<std::string> CharVocabulary::tokens() const {
  std::vector<std::string> out{"<pad>", "<unk>", "<mask>"};
  for (char32_t c : chars_) out.push_back(encode_utf8(std::u32string_view(&c, 1)));
  return out;
}

const std::vector<WordList>& builtin_word_lists() {
  static const std::vector<WordList> lists = {{"english", "american-english", "wamerican"},
                                              {"german", "ngerman", "wngerman"},
                                              {"french", "french", "wfrench"},
                                              {"italian", "italian", "witalian"},
                                              {"spanish", "spanish", "wspanish"}};
  return lists;
}

std::pair<Dataset, Dataset> load_words(const WordsOptions& options, const RandomStream& stream) {
  check(options.languages.size() >= 2, "words: need at least two languages, got ",
        options.languages.size());
  check(options.min_length >= 1 && options.max_length >= 1 && options.per_language >= 1,
        "words: min_length, max_length and per_language must be >= 1");
  check(options.test_fraction >= 0.0 && options.test_fraction < 1.0,
        "words: test_fraction must be in [0, 1), got ", options.test_fraction);
  std::vector<std::string> sorted = options.languages;
  std::sort(sorted.begin(), sorted.end());
  if (const auto twin = std::adjacent_find(sorted.begin(), sorted.end()); twin != sorted.end()) {
    throw ConfigError("words: language '" + *twin + "' is listed twice");
  }
  std::vector<const WordList*> chosen;
  for (const std::string& language : options.languages) chosen.push_back(&find_list(language));
  std::vector<std::vector<std::string>> lists;
  for (const WordList* list : chosen)
    lists.push_back(read_list(options.dir, *list, options.min_length));
  drop_shared(lists);

  std::int64_t per_language = options.per_language;
  for (std::size_t l = 0; l < lists.size(); ++l) {
    per_language = std::min(per_language, static_cast<std::int64_t>(lists[l].size()));
  }
  if (per_language < 2) {
    throw ConfigError("words: too few words of at least " + std::to_string(options.min_length) +
                      " letters that belong to one language only in " + options.dir);
  }
  const auto test_count = static_cast<std::int64_t>(
      std::llround(static_cast<double>(per_language) * options.test_fraction));

  std::vector<std::string> train_words, test_words;
  std::vector<std::int32_t> train_labels, test_labels;
  for (std::size_t l = 0; l < lists.size(); ++l) {
    const std::vector<std::int64_t> order =
        stream.child(l).permutation(static_cast<std::int64_t>(lists[l].size()));
    for (std::int64_t k = 0; k < per_language; ++k) {
      const bool test = k < test_count;
      const auto pick = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
      (test ? test_words : train_words).push_back(lists[l][pick]);
      (test ? test_labels : train_labels).push_back(static_cast<std::int32_t>(l));
    }
  }
  const CharVocabulary vocab(train_words);
  return {make_words_dataset(train_words, train_labels, vocab, options),
          make_words_dataset(test_words, test_labels, vocab, options)};
}

}  // namespace dither
