#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

/// A CSV file as text: the header and every record, with the line each record starts on.
struct CsvTable {
  std::string source;  ///< The file name, for messages.
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::int64_t> lines;  ///< 1-based line where each row starts.
};

/// RFC 4180 CSV with a header row: comma-separated, fields in double quotes may hold commas,
/// newlines and "" for a quote; spaces around unquoted fields are trimmed; blank lines are
/// skipped; \r\n line ends work. Throws ConfigError naming `source` and the line on a row with
/// the wrong number of fields, an unterminated quote or a repeated column name.
CsvTable parse_csv(std::istream& in, const std::string& source);
/// parse_csv of a file; ConfigError naming the file when it cannot be opened.
CsvTable read_csv(const std::string& path);

/// True for a field that means "no value": empty, "NA" or "?".
bool is_missing(std::string_view field);

/// What to do with a missing input value.
enum class MissingPolicy {
  error,  ///< Reject it, naming file, line and column.
  mean,   ///< Use the feature's mean over the training rows.
};

/// How a CSV table becomes a tabular Dataset.
struct CsvOptions {
  std::string label = "label";  ///< The column holding the class.
  MissingPolicy missing = MissingPolicy::error;
  bool standardize = true;          ///< Numeric features to zero mean and unit variance.
  std::vector<std::string> ignore;  ///< Columns left out (ids, free text).
};

/// Categorical columns with more distinct values than this are refused (likely an id column).
inline constexpr std::size_t kMaxCategories = 256;

/// One input column and where its features start.
struct CsvColumn {
  std::string name;
  std::vector<std::string> categories;  ///< Sorted; empty for a numeric column.
  std::size_t first_feature = 0;
};

/// The encoding fitted on training rows only, then applied unchanged to every split. A numeric
/// column is one feature, (x - mean) / std when standardising. A non-numeric column is one-hot
/// over the categories seen in training, in sorted order; an unseen category is all zeros, and
/// one-hot features are never standardised. Labels map to class ids in sorted order.
struct TabularEncoder {
  CsvOptions options;
  std::vector<std::string> classes;
  std::vector<CsvColumn> columns;
  std::vector<std::string> feature_names;  ///< "age", "term=36 months", ...
  std::vector<float> fill;  ///< Per feature: training mean before scaling (imputed value).
  std::vector<float> mean;  ///< Per feature: subtracted when standardising (0 for one-hot).
  std::vector<float> std;   ///< Per feature: divided by when standardising (1 for one-hot).
};

/// Fits column types, categories, classes and mean/std on `rows` of `table`.
TabularEncoder fit_tabular(const CsvTable& table, std::span<const std::int64_t> rows,
                           const CsvOptions& options);

/// `rows` of `table` as a tabular Dataset named `name` with sample shape [features]. Columns are
/// found by name, so a test file may order them differently. Throws ConfigError naming file,
/// line and column for a bad or (when rejected) missing value, a label the encoder has not seen,
/// or a missing column.
Dataset encode_tabular(const CsvTable& table, std::span<const std::int64_t> rows,
                       const TabularEncoder& encoder, const std::string& name);

}  // namespace dither
