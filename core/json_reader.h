#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dither {

/// An interval with open or closed ends: the values a number in a config may take.
struct Interval {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;

  static constexpr Interval closed(double a, double b) { return {a, b, false, false}; }
  static constexpr Interval at_least(double a) {
    return {a, std::numeric_limits<double>::infinity(), false, true};
  }
  static constexpr Interval above(double a) {
    return {a, std::numeric_limits<double>::infinity(), true, true};
  }
  /// [0, 1): a share of which something must remain (momentum, a held-out split).
  static constexpr Interval fraction() { return {0.0, 1.0, false, true}; }
  /// (0, 1): a factor that must shrink and stay positive.
  static constexpr Interval open_unit() { return {0.0, 1.0, true, true}; }

  bool contains(double v) const {
    return (low_open ? v > low : v >= low) && (high_open ? v < high : v <= high);
  }
  /// "in [0, 1)", ">= 0", "> 0"
  std::string describe() const;
};

/// Strict, path-aware reading of one JSON object. Every error is a ConfigError whose message
/// starts with the JSON path at fault (`model.layers[3].out: must be an integer >= 1`), and an
/// unknown key suggests the nearest allowed one.
class JsonReader {
 public:
  /// Throws unless `j` is an object. `path` names it in messages ("" for the root).
  JsonReader(const nlohmann::json& j, std::string path);

  /// Throws on the first key not in `allowed`, suggesting the nearest allowed key.
  void allow_only(std::initializer_list<std::string_view> allowed) const;
  void allow_only(const std::vector<std::string>& allowed) const;

  bool has(std::string_view key) const;
  const nlohmann::json& at(std::string_view key) const;  ///< Throws "path.key: is required".
  std::string path_of(std::string_view key) const;       ///< "path.key"
  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return j_; }

  /// Integer in [low, high]; `fallback` when absent (required when no fallback).
  std::int64_t integer(std::string_view key, std::optional<std::int64_t> fallback = std::nullopt,
                       std::int64_t low = INT64_MIN, std::int64_t high = INT64_MAX) const;
  /// Finite number in [low, high].
  double number(std::string_view key, std::optional<double> fallback = std::nullopt,
                double low = -1e300, double high = 1e300) const;
  /// Finite number in `interval`.
  double number(std::string_view key, std::optional<double> fallback,
                const Interval& interval) const;
  /// Checks one JSON value (a list element, say) against `interval`, naming `path`.
  static double number_at(const nlohmann::json& value, const std::string& path,
                          const Interval& interval);
  bool boolean(std::string_view key, std::optional<bool> fallback = std::nullopt) const;
  /// A string; when `choices` is non-empty it must be one of them (with a suggestion if not).
  std::string string(std::string_view key, std::optional<std::string> fallback = std::nullopt,
                     const std::vector<std::string>& choices = {}) const;
  /// An integer or a list of integers (a list when `count` > 0 must have that length).
  std::vector<std::int64_t> integers(std::string_view key,
                                     std::optional<std::vector<std::int64_t>> fallback,
                                     std::size_t count, std::int64_t low) const;
  /// Reader for a nested object.
  JsonReader object(std::string_view key) const;

 private:
  const nlohmann::json& j_;
  std::string path_;
};

/// "a.b" or "b" when `parent` is empty.
std::string join_path(const std::string& parent, std::string_view key);
/// "a[3]"
std::string index_path(const std::string& parent, std::size_t index);

/// The choice nearest to `word` by edit distance, or "" when none is close.
std::string nearest(std::string_view word, const std::vector<std::string>& choices);
/// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& choices);

}  // namespace dither
