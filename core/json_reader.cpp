#include "core/json_reader.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace dither {
namespace {

std::string join_choices(const std::vector<std::string>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : ", ") + c;
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string nearest(std::string_view word, const std::vector<std::string>& choices) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : choices) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& choices) {
  const std::string best = nearest(word, choices);
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

JsonReader::JsonReader(const nlohmann::json& j, std::string path) : j_(j), path_(std::move(path)) {
  if (!j_.is_object()) {
    throw ConfigError((path_.empty() ? std::string("config") : path_) +
                      ": must be an object, got " + j_.dump());
  }
}

void JsonReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  allow_only(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void JsonReader::allow_only(const std::vector<std::string>& allowed) const {
  for (const auto& item : j_.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) != allowed.end()) continue;
    throw ConfigError(path_of(item.key()) + ": unknown key" + did_you_mean(item.key(), allowed) +
                      "; allowed: " + join_choices(allowed));
  }
}

bool JsonReader::has(std::string_view key) const { return j_.contains(key); }

const nlohmann::json& JsonReader::at(std::string_view key) const {
  auto it = j_.find(key);
  if (it == j_.end()) throw ConfigError(path_of(key) + ": is required");
  return *it;
}

std::string JsonReader::path_of(std::string_view key) const { return join_path(path_, key); }

std::int64_t JsonReader::integer(std::string_view key, std::optional<std::int64_t> fallback,
                                 std::int64_t low, std::int64_t high) const {
  if (!has(key) && fallback) return *fallback;
  const auto& v = at(key);
  const bool integral = v.is_number_integer() ||
                        (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
                         std::abs(v.get<double>()) < 9e15);
  if (!integral || v.get<double>() < static_cast<double>(low) ||
      v.get<double>() > static_cast<double>(high)) {
    std::string range;
    if (low != INT64_MIN && high != INT64_MAX) {
      range = " in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
    } else if (low != INT64_MIN) {
      range = " >= " + std::to_string(low);
    } else if (high != INT64_MAX) {
      range = " <= " + std::to_string(high);
    }
    throw ConfigError(path_of(key) + ": must be an integer" + range + ", got " + v.dump());
  }
  return v.is_number_integer() ? v.get<std::int64_t>() : static_cast<std::int64_t>(v.get<double>());
}

double JsonReader::number(std::string_view key, std::optional<double> fallback, double low,
                          double high) const {
  if (!has(key) && fallback) return *fallback;
  const auto& v = at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < low ||
      v.get<double>() > high) {
    std::ostringstream range;
    if (low > -1e300 && high < 1e300) {
      range << " in [" << low << ", " << high << "]";
    } else if (low > -1e300) {
      range << " >= " << low;
    } else if (high < 1e300) {
      range << " <= " << high;
    }
    throw ConfigError(path_of(key) + ": must be a number" + range.str() + ", got " + v.dump());
  }
  return v.get<double>();
}

std::string Interval::describe() const {
  std::ostringstream out;
  if (std::isinf(high) && std::isinf(low)) return "";
  if (std::isinf(high)) {
    out << (low_open ? "> " : ">= ") << low;
  } else if (std::isinf(low)) {
    out << (high_open ? "< " : "<= ") << high;
  } else {
    out << "in " << (low_open ? "(" : "[") << low << ", " << high << (high_open ? ")" : "]");
  }
  return out.str();
}

double JsonReader::number(std::string_view key, std::optional<double> fallback,
                          const Interval& interval) const {
  if (!has(key) && fallback) return *fallback;
  return number_at(at(key), path_of(key), interval);
}

double JsonReader::number_at(const nlohmann::json& v, const std::string& path,
                             const Interval& interval) {
  if (!v.is_number() || !std::isfinite(v.get<double>()) || !interval.contains(v.get<double>())) {
    const std::string range = interval.describe();
    throw ConfigError(path + ": must be a number" + (range.empty() ? "" : " " + range) + ", got " +
                      v.dump());
  }
  return v.get<double>();
}

bool JsonReader::boolean(std::string_view key, std::optional<bool> fallback) const {
  if (!has(key) && fallback) return *fallback;
  const auto& v = at(key);
  if (!v.is_boolean()) throw ConfigError(path_of(key) + ": must be true or false, got " + v.dump());
  return v.get<bool>();
}

std::string JsonReader::string(std::string_view key, std::optional<std::string> fallback,
                               const std::vector<std::string>& choices) const {
  if (!has(key) && fallback) return *fallback;
  const auto& v = at(key);
  if (!v.is_string()) throw ConfigError(path_of(key) + ": must be a string, got " + v.dump());
  std::string s = v.get<std::string>();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end()) {
    throw ConfigError(path_of(key) + ": unknown value '" + s + "'" + did_you_mean(s, choices) +
                      "; choose from: " + join_choices(choices));
  }
  return s;
}

std::vector<std::int64_t> JsonReader::integers(std::string_view key,
                                               std::optional<std::vector<std::int64_t>> fallback,
                                               std::size_t count, std::int64_t low) const {
  if (!has(key) && fallback) return *fallback;
  const auto& v = at(key);
  std::vector<std::int64_t> out;
  auto bad = [&] {
    return ConfigError(path_of(key) + ": must be an integer >= " + std::to_string(low) +
                       (count > 0 ? " or a list of " + std::to_string(count) + " of them" : "") +
                       ", got " + v.dump());
  };
  if (v.is_number_integer()) {
    out.assign(count > 0 ? count : 1, v.get<std::int64_t>());
  } else if (v.is_array()) {
    for (const auto& e : v) {
      if (!e.is_number_integer()) throw bad();
      out.push_back(e.get<std::int64_t>());
    }
    if (count > 0 && out.size() != count) throw bad();
  } else {
    throw bad();
  }
  for (std::int64_t x : out) {
    if (x < low) throw bad();
  }
  return out;
}

JsonReader JsonReader::object(std::string_view key) const {
  return JsonReader(at(key), path_of(key));
}

}  // namespace dither
