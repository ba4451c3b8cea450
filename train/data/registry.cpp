#include "train/data/registry.h"

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <sstream>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/random.h"
#include "train/data/class_filter.h"
#include "train/data/csv.h"
#include "train/data/idx.h"
#include "train/data/loans.h"
#include "train/data/spoken_digits.h"
#include "train/data/toy2d.h"
#include "train/data/waveforms.h"
#include "train/data/words.h"

namespace dither {
namespace {

using nlohmann::json;

constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct Common {
  double validation_split = 0.1;
  std::int64_t limit_train = 0;
  std::int64_t limit_test = 0;
};

// Reads `value` into the resolved spec as well, so every default ends up written down.
template <class T>
T put(json& resolved, const char* key, T value) {
  resolved[key] = value;
  return value;
}

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.begin(), {"name", "validation_split", "limit_train", "limit_test", "classes"});
  return keys;
}

// A share in [0, 1): all of a set may not go to its held-out part.
double fraction(const JsonReader& r, std::string_view key, double fallback) {
  return r.number(key, fallback, Interval::fraction());
}

std::vector<std::string> strings(const JsonReader& r, std::string_view key,
                                 std::vector<std::string> fallback) {
  if (!r.has(key)) return fallback;
  const json& v = r.at(key);
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const json& e : v) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
  }
  if (!v.is_array() || out.size() != v.size()) {
    throw ConfigError(r.path_of(key) + ": must be a list of strings, got " + v.dump());
  }
  return out;
}

// rows[i] for each of `indices`: positions in a selection back to positions in the whole.
std::vector<std::int64_t> pick(const std::vector<std::int64_t>& rows,
                               const std::vector<std::int64_t>& indices) {
  std::vector<std::int64_t> out;
  for (std::int64_t i : indices) out.push_back(rows[static_cast<std::size_t>(i)]);
  return out;
}

// Which samples of the loaded training and test sets each split takes: limits first, then the
// validation share of what is left for training.
struct Partition {
  std::vector<std::int64_t> train, validation, test;
};

Partition partition(std::int64_t n_train, std::int64_t n_test, const Common& c,
                    std::uint64_t seed) {
  const std::vector<std::int64_t> kept =
      sample_indices(n_train, c.limit_train, RandomStream(seed, "data.limit", {0}));
  const auto [train, validation] =
      split_indices(static_cast<std::int64_t>(kept.size()), c.validation_split,
                    RandomStream(seed, "data.validation"));
  return {pick(kept, train), pick(kept, validation),
          sample_indices(n_test, c.limit_test, RandomStream(seed, "data.limit", {1}))};
}

DataSplits from_sets(const Dataset& train, const Dataset& test, const Common& c,
                     std::uint64_t seed) {
  const Partition p = partition(train.size(), test.size(), c, seed);
  return {subset(train, p.train), subset(train, p.validation), subset(test, p.test), {}};
}

// Fits the tabular encoding on the training rows alone, then encodes all three splits.
DataSplits encode_splits(const CsvTable& train_table, const std::vector<std::int64_t>& train_rows,
                         const CsvTable& test_table, const std::vector<std::int64_t>& test_rows,
                         const CsvOptions& options, const Common& c, std::uint64_t seed,
                         const std::string& name) {
  const Partition p = partition(static_cast<std::int64_t>(train_rows.size()),
                                static_cast<std::int64_t>(test_rows.size()), c, seed);
  const std::vector<std::int64_t> train = pick(train_rows, p.train);
  const TabularEncoder encoder = fit_tabular(train_table, train, options);
  return {encode_tabular(train_table, train, encoder, name),
          encode_tabular(train_table, pick(train_rows, p.validation), encoder, name),
          encode_tabular(test_table, pick(test_rows, p.test), encoder, name),
          {}};
}

std::vector<std::int64_t> all_rows(const CsvTable& table) {
  std::vector<std::int64_t> rows(table.rows.size());
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return rows;
}

CsvOptions read_csv_options(const JsonReader& r, json& out, MissingPolicy default_missing) {
  CsvOptions o;
  o.missing = put(out, "missing",
                  r.string("missing", default_missing == MissingPolicy::mean ? "mean" : "error",
                           {"error", "mean"})) == "mean"
                  ? MissingPolicy::mean
                  : MissingPolicy::error;
  o.standardize = put(out, "standardize", r.boolean("standardize", true));
  return o;
}

using Builder = DataSplits (*)(const JsonReader&, const Common&, std::uint64_t, json&);

DataSplits build_idx(const JsonReader& r, const Common& c, std::uint64_t seed, json& out,
                     bool fashion) {
  r.allow_only(with_common({"path"}));
  const std::string dir =
      put(out, "path", fashion ? r.string("path", kFashionMnistDir) : r.string("path"));
  const auto load = fashion ? load_fashion_mnist : load_mnist;
  const Dataset train = load(dir, Split::train);
  return from_sets(train, load(dir, Split::test), c, seed);
}

DataSplits build_fashion_mnist(const JsonReader& r, const Common& c, std::uint64_t seed,
                               json& out) {
  return build_idx(r, c, seed, out, true);
}

DataSplits build_mnist(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  return build_idx(r, c, seed, out, false);
}

DataSplits build_csv(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common(
      {"path", "label", "test_path", "test_split", "missing", "standardize", "ignore"}));
  const std::string path = put(out, "path", r.string("path"));
  const std::string test_path = put(out, "test_path", r.string("test_path", ""));
  const double test_split = put(out, "test_split", fraction(r, "test_split", 0.2));
  CsvOptions options = read_csv_options(r, out, MissingPolicy::error);
  options.label = put(out, "label", r.string("label", "label"));
  options.ignore = put(out, "ignore", strings(r, "ignore", {}));
  const std::string name = std::filesystem::path(path).stem().string();

  const CsvTable table = read_csv(path);
  if (!test_path.empty()) {
    const CsvTable test = read_csv(test_path);
    return encode_splits(table, all_rows(table), test, all_rows(test), options, c, seed, name);
  }
  const auto [rest, held] = split_indices(static_cast<std::int64_t>(table.rows.size()), test_split,
                                          RandomStream(seed, "data.test_split"));
  return encode_splits(table, rest, table, held, options, c, seed, name);
}

DataSplits build_loans(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "missing", "standardize"}));
  const std::int64_t train_size = put(out, "train_size", r.integer("train_size", 2000, 1));
  const std::int64_t test_size = put(out, "test_size", r.integer("test_size", 500, 1));
  const CsvOptions options = [&] {
    CsvOptions o = read_csv_options(r, out, MissingPolicy::mean);
    o.label = "approved";
    return o;
  }();
  // Through CSV text, so the teaching set exercises the same parser and encoder as a file.
  auto generate = [&](std::int64_t n, std::uint64_t part, const char* source) {
    std::stringstream text;
    write_loans_csv(text, n, RandomStream(seed, "data.loans", {part}));
    return parse_csv(text, source);
  };
  const CsvTable train = generate(train_size, 0, "loans (train)");
  const CsvTable test = generate(test_size, 1, "loans (test)");
  return encode_splits(train, all_rows(train), test, all_rows(test), options, c, seed, "loans");
}

DataSplits build_words(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(
      with_common({"path", "languages", "per_language", "min_length", "max_length", "test_split"}));
  WordsOptions o;
  o.dir = put(out, "path", r.string("path", o.dir));
  o.languages = put(out, "languages", strings(r, "languages", o.languages));
  if (o.languages.size() < 2) {
    throw ConfigError(r.path_of("languages") +
                      ": needs at least two languages to tell apart, got " +
                      std::to_string(o.languages.size()));
  }
  o.per_language = put(out, "per_language", r.integer("per_language", o.per_language, 1));
  o.min_length = put(out, "min_length", r.integer("min_length", o.min_length, 1));
  o.max_length = put(out, "max_length", r.integer("max_length", o.max_length, 1));
  o.test_fraction = put(out, "test_split", fraction(r, "test_split", o.test_fraction));
  const auto [train, test] = load_words(o, RandomStream(seed, "data.words"));
  return from_sets(train, test, c, seed);
}

// A [min, max] pair of integers: `max_key` may not fall below `min_key`.
std::pair<std::int64_t, std::int64_t> integer_range(const JsonReader& r, json& out,
                                                    const char* min_key, const char* max_key,
                                                    std::int64_t low, std::int64_t high,
                                                    std::int64_t min_default,
                                                    std::int64_t max_default) {
  const std::int64_t lo = put(out, min_key, r.integer(min_key, min_default, low, high));
  const std::int64_t hi =
      put(out, max_key, r.integer(max_key, std::max(lo, max_default), lo, high));
  return {lo, hi};
}

DataSplits build_spoken_digits(const JsonReader& r, const Common& c, std::uint64_t seed,
                               json& out) {
  std::vector<std::string> keys{"features",    "voices",      "variants",   "repeats",
                                "min_rate",    "max_rate",    "min_pitch",  "max_pitch",
                                "sample_rate", "max_seconds", "synth_seed", "test_split",
                                "test_snr_db", "cache"};
  for (const std::string& k : LogMelOptions::keys()) keys.push_back(k);
  r.allow_only(with_common(keys));
  SpokenDigitsOptions o;
  const std::string features =
      put(out, "features", r.string("features", "log_mel", {"log_mel", "waveform"}));
  o.voices = put(out, "voices", strings(r, "voices", o.voices));
  o.variants = put(out, "variants", strings(r, "variants", o.variants));
  if (o.voices.empty() || o.variants.empty()) {
    throw ConfigError(r.path_of(o.voices.empty() ? "voices" : "variants") + ": must not be empty");
  }
  o.repeats = put(out, "repeats", r.integer("repeats", o.repeats, 1, 1000));
  std::tie(o.min_rate, o.max_rate) =
      integer_range(r, out, "min_rate", "max_rate", 80, 450, o.min_rate, o.max_rate);
  std::tie(o.min_pitch, o.max_pitch) =
      integer_range(r, out, "min_pitch", "max_pitch", 0, 100, o.min_pitch, o.max_pitch);
  o.sample_rate = put(out, "sample_rate", r.number("sample_rate", o.sample_rate, 4000.0, 48000.0));
  o.max_seconds = put(out, "max_seconds", r.number("max_seconds", o.max_seconds, 0.05, 10.0));
  o.synth_seed = static_cast<std::uint64_t>(
      put(out, "synth_seed", r.integer("synth_seed", static_cast<std::int64_t>(o.synth_seed), 0)));
  const double test_split = put(out, "test_split", fraction(r, "test_split", 0.2));
  const std::string cache = put(out, "cache", r.string("cache", ""));
  SpokenFeatures f;
  f.log_mel = features == "log_mel";
  f.front_end = LogMelOptions::read(r, o.sample_rate);
  f.front_end.write(out);
  if (r.has("test_snr_db")) {
    f.test_snr_db = put(out, "test_snr_db", r.number("test_snr_db", std::nullopt, -30.0, 120.0));
  }
  const SpokenClips clips = load_spoken_clips(
      o, cache.empty() ? default_cache_folder() : std::filesystem::path(cache), r.path());
  const auto [train, test] =
      make_spoken_digits(clips, f, test_split, RandomStream(seed, "data.spoken_digits.split"));
  return from_sets(train, test, c, seed);
}

// A generated set: train and test from two streams of (seed, "data.<name>").
template <class Make>
DataSplits generate(const JsonReader& r, const Common& c, std::uint64_t seed, json& out,
                    std::int64_t default_train, const Make& make) {
  const std::string name = out["name"].get<std::string>();
  const std::int64_t train_size = put(out, "train_size", r.integer("train_size", default_train, 1));
  const std::int64_t test_size = put(out, "test_size", r.integer("test_size", 500, 1));
  const Dataset train = make(train_size, RandomStream(seed, "data." + name, {0}));
  return from_sets(train, make(test_size, RandomStream(seed, "data." + name, {1})), c, seed);
}

DataSplits build_waveforms(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "length", "min_length", "noise"}));
  WaveformOptions o;
  o.length = put(out, "length", r.integer("length", o.length, 1));
  o.min_length = put(out, "min_length", r.integer("min_length", o.min_length, 1, o.length));
  o.noise = put(out, "noise", r.number("noise", o.noise, 0.0));
  return generate(r, c, seed, out, 2000, [&](std::int64_t n, const RandomStream& s) {
    WaveformOptions sized = o;
    sized.size = n;
    return make_waveforms(sized, s);
  });
}

DataSplits build_moons(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "noise"}));
  const double noise = put(out, "noise", r.number("noise", 0.1, 0.0));
  return generate(r, c, seed, out, 1000,
                  [&](std::int64_t n, const RandomStream& s) { return make_moons(n, noise, s); });
}

DataSplits build_circles(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "factor", "noise"}));
  const double factor = put(out, "factor", r.number("factor", 0.5, 0.01, 0.99));
  const double noise = put(out, "noise", r.number("noise", 0.05, 0.0));
  return generate(r, c, seed, out, 1000, [&](std::int64_t n, const RandomStream& s) {
    return make_circles(n, factor, noise, s);
  });
}

DataSplits build_spirals(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "arms", "noise"}));
  const std::int64_t arms = put(out, "arms", r.integer("arms", 3, 2, 64));
  const double noise = put(out, "noise", r.number("noise", 0.2, 0.0));
  return generate(r, c, seed, out, 1000, [&](std::int64_t n, const RandomStream& s) {
    return make_spirals(n, arms, noise, s);
  });
}

DataSplits build_blobs(const JsonReader& r, const Common& c, std::uint64_t seed, json& out) {
  r.allow_only(with_common({"train_size", "test_size", "centres", "std", "box"}));
  const std::int64_t k = put(out, "centres", r.integer("centres", 3, 1, 1024));
  const double spread = put(out, "std", r.number("std", 1.0, 0.0));
  const double box = put(out, "box", r.number("box", 8.0, 1e-6));
  const std::vector<float> centres = blob_centres(k, box, RandomStream(seed, "data.blobs.centres"));
  return generate(r, c, seed, out, 1000, [&](std::int64_t n, const RandomStream& s) {
    return make_blobs(n, centres, spread, s);
  });
}

const std::vector<std::pair<std::string, Builder>>& builders() {
  static const std::vector<std::pair<std::string, Builder>> table = {
      {"fashion-mnist", build_fashion_mnist},
      {"mnist", build_mnist},
      {"csv", build_csv},
      {"loans", build_loans},
      {"words", build_words},
      {"waveforms", build_waveforms},
      {"spoken_digits", build_spoken_digits},
      {"moons", build_moons},
      {"circles", build_circles},
      {"spirals", build_spirals},
      {"blobs", build_blobs}};
  return table;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, build] : builders()) out.push_back(name);
    return out;
  }();
  return names;
}

DataSplits load_data(const nlohmann::json& spec, std::uint64_t seed, const std::string& path) {
  const JsonReader r(spec, path);
  json resolved = json::object();
  const std::string name = put(resolved, "name", r.string("name", std::nullopt, dataset_names()));
  Common c;
  c.validation_split = put(resolved, "validation_split", fraction(r, "validation_split", 0.1));
  c.limit_train = put(resolved, "limit_train", r.integer("limit_train", 0, 0));
  c.limit_test = put(resolved, "limit_test", r.integer("limit_test", 0, 0));
  for (const auto& [known, build] : builders()) {
    if (known != name) continue;
    DataSplits splits = build(r, c, seed, resolved);
    if (r.has("classes")) {
      const std::vector<std::int64_t> classes = r.integers("classes", std::nullopt, 0, 0);
      const std::string where = r.path_of("classes");
      splits.train = keep_classes(splits.train, classes, where);
      splits.validation = keep_classes(splits.validation, classes, where);
      splits.test = keep_classes(splits.test, classes, where);
      resolved["classes"] = classes;
    }
    splits.resolved = std::move(resolved);
    return splits;
  }
  throw Error("load_data: no builder for '" + name + "'");
}

}  // namespace dither
