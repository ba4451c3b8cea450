// The CSV parser, then the tabular encoder fitted and applied on every row, with the first
// column as the label and missing values imputed.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/data/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(dither::fuzz::bytes(data, size));
  try {
    const dither::CsvTable table = dither::parse_csv(in, "fuzz.csv");
    if (table.header.empty() || table.rows.empty()) return 0;
    dither::CsvOptions options;
    options.label = table.header[0];
    options.missing = dither::MissingPolicy::mean;
    std::vector<std::int64_t> rows(table.rows.size());
    std::iota(rows.begin(), rows.end(), std::int64_t{0});
    const dither::TabularEncoder encoder = dither::fit_tabular(table, rows, options);
    dither::encode_tabular(table, rows, encoder, "fuzz").validate();
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
