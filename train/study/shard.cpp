#include "train/study/shard.h"

#include <cctype>

#include "core/error.h"

namespace dither {
namespace {

// A positive decimal number of at most six digits, or 0 when `text` is not one.
std::size_t positive(const std::string& text) {
  if (text.empty() || text.size() > 6) return 0;
  for (unsigned char c : text) {
    if (!std::isdigit(c)) return 0;
  }
  return std::stoul(text);
}

}  // namespace

Shard Shard::parse(const std::string& text) {
  const auto slash = text.find('/');
  const std::string why = "--shard " + text + ": expected i/N with 1 <= i <= N (1-based)";
  if (slash == std::string::npos) throw ConfigError(why);
  const std::size_t i = positive(text.substr(0, slash));
  const std::size_t n = positive(text.substr(slash + 1));
  if (i == 0 || n == 0 || i > n) throw ConfigError(why);
  return Shard{i, n};
}

std::string Shard::to_string() const { return std::to_string(index) + "/" + std::to_string(count); }

}  // namespace dither
