// Word lists: the bytes, split at the first NUL, become the english and german lists of a
// dictionary folder, and load_words builds the task from them (UTF-8 decoding, lowercasing,
// filtering, the vocabulary, the split).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/error.h"
#include "core/random.h"
#include "fuzz_support.h"
#include "train/data/words.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = dither::fuzz::bytes(data, size);
  const auto split = text.find('\0');
  const std::filesystem::path dir = "/dev/shm/dither-fuzz-words-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string lists[2] = {text.substr(0, split),
                          split == std::string::npos ? "" : text.substr(split + 1)};
  int i = 0;
  for (const auto& list : dither::builtin_word_lists()) {
    if (list.language != "english" && list.language != "german") continue;
    std::ofstream(dir / list.file, std::ios::binary | std::ios::trunc) << lists[i++];
  }
  dither::WordsOptions options;
  options.dir = dir.string();
  options.languages = {"english", "german"};
  options.per_language = 50;
  try {
    const auto [train, test] = dither::load_words(options, dither::RandomStream(1, "words"));
    train.validate();
    test.validate();
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
