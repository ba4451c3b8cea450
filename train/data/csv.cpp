#include "train/data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <map>
#include <optional>

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Splits one record, reading further lines while a quoted field is open.
std::vector<std::string> parse_record(std::istream& in, std::string line, std::int64_t& line_no,
                                      const std::string& source) {
  const std::int64_t start = line_no;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;      // inside "..."
  bool was_quoted = false;  // this field had quotes: keep its inner spaces
  auto finish_field = [&] {
    fields.push_back(was_quoted ? field : std::string(trim(field)));
    field.clear();
    was_quoted = false;
  };
  std::size_t i = 0;
  while (true) {
    if (i == line.size()) {
      if (!quoted) break;
      if (!std::getline(in, line)) {
        throw ConfigError(str(source, ":", start, ": unterminated quoted field"));
      }
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      field += '\n';
      i = 0;
      continue;
    }
    const char c = line[i++];
    if (quoted && c == '"' && i < line.size() && line[i] == '"') {
      field += '"';
      ++i;
    } else if (quoted) {
      if (c == '"')
        quoted = false;
      else
        field += c;
    } else if (c == ',') {
      finish_field();
    } else if (c == '"' && !was_quoted && trim(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (!(was_quoted && (c == ' ' || c == '\t'))) {
      field += c;
    }
  }
  finish_field();
  return fields;
}

std::string where(const CsvTable& table, std::int64_t row, const std::string& column,
                  std::size_t index) {
  return str(table.source, ":", table.lines[static_cast<std::size_t>(row)], ": column '", column,
             "' (column ", index + 1, ")");
}

std::size_t column_index(const CsvTable& table, const std::string& name, const char* role) {
  const auto it = std::find(table.header.begin(), table.header.end(), name);
  if (it == table.header.end()) {
    std::string columns;
    for (const auto& h : table.header) columns += (columns.empty() ? "" : ", ") + h;
    throw ConfigError(table.source + ": no " + role + " column '" + name + "'" +
                      did_you_mean(name, table.header) + "; columns: " + columns);
  }
  return static_cast<std::size_t>(it - table.header.begin());
}

const std::string& cell(const CsvTable& table, std::int64_t row, std::size_t column) {
  return table.rows[static_cast<std::size_t>(row)][column];
}

// The label of `row`; a missing label is an error whatever the missing-value policy.
std::string label_of(const CsvTable& table, std::int64_t row, std::size_t index,
                     const std::string& name) {
  const std::string& y = cell(table, row, index);
  if (is_missing(y)) throw ConfigError(where(table, row, name, index) + ": missing label");
  return y;
}

void reject_missing(const CsvTable& table, std::int64_t row, const std::string& column,
                    std::size_t index) {
  throw ConfigError(where(table, row, column, index) + ": missing value '" +
                    cell(table, row, index) +
                    "'; set \"missing\": \"mean\" to impute the training mean");
}

void check_rows(const CsvTable& table, std::span<const std::int64_t> rows) {
  for (std::int64_t r : rows) {
    check(r >= 0 && r < static_cast<std::int64_t>(table.rows.size()), table.source, ": row ", r,
          " out of range for ", table.rows.size(), " rows");
  }
}

// Fits column `c`: its categories (none when every present value is a number) and, per feature,
// the training mean (the imputed value) and the standardisation shift and scale, appended to
// `enc`.
CsvColumn fit_column(const CsvTable& table, std::span<const std::int64_t> rows, std::size_t c,
                     TabularEncoder& enc) {
  const std::string& name = table.header[c];
  const CsvOptions& options = enc.options;
  CsvColumn column{name, {}, enc.feature_names.size()};
  std::int64_t present = 0;
  bool numeric = true;
  for (std::int64_t r : rows) {
    const std::string& v = cell(table, r, c);
    if (is_missing(v)) {
      if (options.missing == MissingPolicy::error) reject_missing(table, r, name, c);
      continue;
    }
    ++present;
    numeric = numeric && parse_number(v).has_value();
    column.categories.push_back(v);
  }
  if (present == 0) throw ConfigError(table.source + ": column '" + name + "' has no values");
  if (numeric) {
    column.categories.clear();
    enc.feature_names.push_back(name);
  } else {
    std::sort(column.categories.begin(), column.categories.end());
    column.categories.erase(std::unique(column.categories.begin(), column.categories.end()),
                            column.categories.end());
    if (column.categories.size() > kMaxCategories) {
      throw ConfigError(str(table.source, ": column '", name, "' has ", column.categories.size(),
                            " distinct non-numeric values (at most ", kMaxCategories,
                            "); list it in \"ignore\" or fix its numbers"));
    }
    for (const auto& cat : column.categories) enc.feature_names.push_back(name + "=" + cat);
  }

  const std::size_t width = enc.feature_names.size() - column.first_feature;
  std::vector<double> sum(width, 0.0), sum_sq(width, 0.0);  // over present values
  for (std::int64_t r : rows) {
    const std::string& v = cell(table, r, c);
    if (is_missing(v)) continue;
    if (numeric) {
      const double x = *parse_number(v);
      sum[0] += x;
      sum_sq[0] += x * x;
    } else {
      const auto k = static_cast<std::size_t>(
          std::lower_bound(column.categories.begin(), column.categories.end(), v) -
          column.categories.begin());
      sum[k] += 1.0;
      sum_sq[k] += 1.0;
    }
  }
  const bool scale = numeric && options.standardize;
  for (std::size_t f = 0; f < width; ++f) {
    const double mean = sum[f] / static_cast<double>(present);
    const double var = std::max(0.0, sum_sq[f] / static_cast<double>(present) - mean * mean);
    // A constant column keeps its scale: dividing by ~0 would only amplify rounding.
    const double sd = scale && var > 1e-12 ? std::sqrt(var) : 1.0;
    enc.fill.push_back(static_cast<float>(mean));
    enc.mean.push_back(scale ? static_cast<float>(mean) : 0.0f);
    enc.std.push_back(static_cast<float>(sd));
  }
  return column;
}

}  // namespace

bool is_missing(std::string_view field) { return field.empty() || field == "NA" || field == "?"; }

CsvTable parse_csv(std::istream& in, const std::string& source) {
  CsvTable table;
  table.source = source;
  std::string line;
  std::int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    const std::int64_t start = line_no;
    std::vector<std::string> fields = parse_record(in, std::move(line), line_no, source);
    if (table.header.empty()) {
      std::vector<std::string> sorted = fields;
      std::sort(sorted.begin(), sorted.end());
      if (const auto twin = std::adjacent_find(sorted.begin(), sorted.end());
          twin != sorted.end()) {
        throw ConfigError(str(source, ":", start, ": column '", *twin, "' appears twice"));
      }
      table.header = std::move(fields);
      continue;
    }
    if (fields.size() != table.header.size()) {
      throw ConfigError(str(source, ":", start, ": expected ", table.header.size(),
                            " fields as in the header, got ", fields.size()));
    }
    table.rows.push_back(std::move(fields));
    table.lines.push_back(start);
  }
  if (table.header.empty()) throw ConfigError(source + ": empty file, expected a header row");
  return table;
}

CsvTable read_csv(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw ConfigError(path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open");
  return parse_csv(in, path);
}

TabularEncoder fit_tabular(const CsvTable& table, std::span<const std::int64_t> rows,
                           const CsvOptions& options) {
  check_rows(table, rows);
  TabularEncoder enc;
  enc.options = options;
  const std::size_t label = column_index(table, options.label, "label");
  for (const auto& name : options.ignore) column_index(table, name, "ignored");
  if (rows.empty()) throw ConfigError(table.source + ": no rows to fit on");

  for (std::int64_t r : rows) {
    enc.classes.push_back(label_of(table, r, label, options.label));
  }
  std::sort(enc.classes.begin(), enc.classes.end());
  enc.classes.erase(std::unique(enc.classes.begin(), enc.classes.end()), enc.classes.end());

  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (c == label || std::count(options.ignore.begin(), options.ignore.end(), name) > 0) continue;
    enc.columns.push_back(fit_column(table, rows, c, enc));
  }
  if (enc.feature_names.empty()) throw ConfigError(table.source + ": no input columns");
  return enc;
}

Dataset encode_tabular(const CsvTable& table, std::span<const std::int64_t> rows,
                       const TabularEncoder& encoder, const std::string& name) {
  check_rows(table, rows);
  const std::size_t label = column_index(table, encoder.options.label, "label");
  std::vector<std::size_t> index;
  for (const auto& column : encoder.columns) {
    index.push_back(column_index(table, column.name, "input"));
  }

  const std::size_t width = encoder.feature_names.size();
  Dataset ds;
  ds.name = name;
  ds.kind = InputKind::tabular;
  ds.sample_shape = {static_cast<std::int64_t>(width)};
  ds.num_classes = static_cast<std::int64_t>(encoder.classes.size());
  ds.class_names = encoder.classes;
  ds.feature_names = encoder.feature_names;
  const float inf = std::numeric_limits<float>::infinity();
  ds.value_range = {-inf, inf};
  ds.values.assign(rows.size() * width, 0.0f);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::int64_t r = rows[k];
    const std::string y = label_of(table, r, label, encoder.options.label);
    const auto cls = std::lower_bound(encoder.classes.begin(), encoder.classes.end(), y);
    if (cls == encoder.classes.end() || *cls != y) {
      throw ConfigError(where(table, r, encoder.options.label, label) + ": label '" + y +
                        "' does not occur in the training rows");
    }
    ds.labels.push_back(static_cast<std::int32_t>(cls - encoder.classes.begin()));
    float* out = ds.values.data() + k * width;
    for (std::size_t c = 0; c < encoder.columns.size(); ++c) {
      const CsvColumn& column = encoder.columns[c];
      const std::string& v = cell(table, r, index[c]);
      const std::size_t f0 = column.first_feature;
      const std::size_t n = column.categories.empty() ? 1 : column.categories.size();
      if (is_missing(v)) {
        if (encoder.options.missing == MissingPolicy::error) {
          reject_missing(table, r, column.name, index[c]);
        }
        std::copy_n(encoder.fill.begin() + static_cast<std::ptrdiff_t>(f0), n, out + f0);
      } else if (column.categories.empty()) {
        const auto x = parse_number(v);
        if (!x) {
          throw ConfigError(where(table, r, column.name, index[c]) + ": '" + v +
                            "' is not a number");
        }
        out[f0] = static_cast<float>(*x);
      } else {
        const auto it = std::lower_bound(column.categories.begin(), column.categories.end(), v);
        if (it != column.categories.end() && *it == v) {
          out[f0 + static_cast<std::size_t>(it - column.categories.begin())] = 1.0f;
        }
      }
    }
    for (std::size_t f = 0; f < width; ++f) out[f] = (out[f] - encoder.mean[f]) / encoder.std[f];
  }
  ds.validate();
  return ds;
}

}  // namespace dither
