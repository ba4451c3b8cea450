#include <gtest/gtest.h>

#include <numeric>
#include <sstream>
#include <string>

#include "core/random.h"
#include "train/data/csv.h"
#include "train/data/loans.h"

namespace dither {
namespace {

std::string loans_text(std::int64_t n, std::uint64_t seed) {
  std::ostringstream out;
  write_loans_csv(out, n, RandomStream(seed, "loans"));
  return out.str();
}

CsvTable loans_table(std::int64_t n, std::uint64_t seed) {
  std::istringstream in(loans_text(n, seed));
  return parse_csv(in, "loans.csv");
}

TEST(LoansTest, SameSeedWritesTheSameTableAndAnotherSeedDoesNot) {
  EXPECT_EQ(loans_text(50, 1), loans_text(50, 1));
  EXPECT_NE(loans_text(50, 1), loans_text(50, 2));
  // Row i depends only on i: a longer table starts with the shorter one.
  EXPECT_EQ(loans_text(80, 1).substr(0, loans_text(50, 1).size()), loans_text(50, 1));
}

TEST(LoansTest, ParsesWithQuotedCommasMissingValuesAndBothClasses) {
  const CsvTable t = loans_table(1000, 3);
  EXPECT_EQ(t.header.size(), 9u);
  EXPECT_EQ(t.header.back(), "approved");
  ASSERT_EQ(t.rows.size(), 1000u);
  int missing_income = 0, missing_score = 0, with_comma = 0, approved = 0;
  for (const auto& row : t.rows) {
    missing_income += is_missing(row[1]);
    missing_score += is_missing(row[7]);
    with_comma += row[6].find(',') != std::string::npos;
    approved += row[8] == "yes";
  }
  EXPECT_GT(missing_income, 5);
  EXPECT_LT(missing_income, 80);
  EXPECT_GT(missing_score, 2);
  EXPECT_GT(with_comma, 100);
  EXPECT_GT(approved, 250);
  EXPECT_LT(approved, 750);
}

TEST(LoansTest, EncodesIntoNumericAndOneHotFeatures) {
  const CsvTable t = loans_table(300, 4);
  std::vector<std::int64_t> rows(t.rows.size());
  std::iota(rows.begin(), rows.end(), 0);
  CsvOptions o;
  o.label = "approved";
  o.missing = MissingPolicy::mean;
  const TabularEncoder enc = fit_tabular(t, rows, o);
  // 4 numeric + term (2) + employment (4) + home (3) + purpose (5).
  EXPECT_EQ(enc.feature_names.size(), 18u);
  EXPECT_EQ(enc.classes, (std::vector<std::string>{"no", "yes"}));
  const Dataset ds = encode_tabular(t, rows, enc, "loans");
  EXPECT_EQ(ds.sample_shape, (Shape{18}));
  EXPECT_EQ(ds.size(), 300);
}

}  // namespace
}  // namespace dither
