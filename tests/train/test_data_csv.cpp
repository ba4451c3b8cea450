#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/fixtures.h"
#include "train/data/csv.h"

namespace dither {
namespace {

using dither::testing::config_error;

CsvTable parse(const std::string& text, const std::string& source = "t.csv") {
  std::istringstream in(text);
  return parse_csv(in, source);
}

std::vector<std::int64_t> rows(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(end - begin));
  std::iota(out.begin(), out.end(), begin);
  return out;
}

float at(const Dataset& ds, std::int64_t sample, std::int64_t feature) {
  return ds.values[static_cast<std::size_t>(sample * ds.sample_numel() + feature)];
}

TEST(CsvTest, QuotedFieldsKeepCommasQuotesAndNewlines) {
  const CsvTable t = parse(
      "name, note ,label\r\n"
      "\"Smith, J.\",\"said \"\"hi\"\"\",a\r\n"
      "\n"
      "  plain  ,\"two\nlines\",b\n");
  EXPECT_EQ(t.header, (std::vector<std::string>{"name", "note", "label"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"Smith, J.", "said \"hi\"", "a"}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"plain", "two\nlines", "b"}));
  EXPECT_EQ(t.lines, (std::vector<std::int64_t>{2, 4}));
}

TEST(CsvTest, WrongFieldCountNamesFileAndLine) {
  const std::string message = config_error([] { parse("a,b\n1,2\n3\n", "data.csv"); });
  EXPECT_NE(message.find("data.csv:3: expected 2 fields"), std::string::npos) << message;
}

TEST(CsvTest, UnterminatedQuoteAndRepeatedColumnAreErrors) {
  EXPECT_NE(config_error([] { parse("a,b\n\"1,2\n"); }).find("t.csv:2: unterminated"),
            std::string::npos);
  EXPECT_NE(config_error([] { parse("a,b,a\n1,2,3\n"); }).find("'a' appears twice"),
            std::string::npos);
}

TEST(CsvTest, MissingFileIsAConfigErrorNamingIt) {
  EXPECT_NE(config_error([] {
              read_csv("/nonexistent/dither/data.csv");
            }).find("/nonexistent/dither/data.csv"),
            std::string::npos);
}

TEST(CsvTest, ReadsAFileFromDisk) {
  dither::testing::TempDir dir;
  const CsvTable t = read_csv(dir.write("d.csv", "x,label\n1,a\n2,b\n"));
  EXPECT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.source, dir.file("d.csv"));
}

TEST(CsvTest, CategoricalColumnsBecomeSortedOneHotFeatures) {
  const CsvTable t = parse(
      "colour,label\n"
      "red,x\n"
      "\"blue, dark\",y\n"
      "red,x\n");
  const TabularEncoder enc = fit_tabular(t, rows(0, 3), {});
  EXPECT_EQ(enc.feature_names, (std::vector<std::string>{"colour=blue, dark", "colour=red"}));
  const Dataset ds = encode_tabular(t, rows(0, 3), enc, "t");
  EXPECT_EQ(ds.sample_shape, (Shape{2}));
  EXPECT_EQ(ds.values, (std::vector<float>{0, 1, 1, 0, 0, 1}));
}

TEST(CsvTest, LabelsMapToSortedClassIds) {
  const CsvTable t = parse("v,label\n1,zebra\n2,ant\n3,moth\n4,ant\n");
  const TabularEncoder enc = fit_tabular(t, rows(0, 4), {});
  EXPECT_EQ(enc.classes, (std::vector<std::string>{"ant", "moth", "zebra"}));
  const Dataset ds = encode_tabular(t, rows(0, 4), enc, "t");
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{2, 0, 1, 0}));
  EXPECT_EQ(ds.class_names, enc.classes);
  EXPECT_EQ(ds.num_classes, 3);
}

TEST(CsvTest, MissingValueIsRejectedWithFileLineAndColumn) {
  const CsvTable t = parse("a,b,label\n1,2,x\n3,NA,y\n", "loans.csv");
  const std::string message = config_error([&] { fit_tabular(t, rows(0, 2), {}); });
  EXPECT_NE(message.find("loans.csv:3: column 'b' (column 2): missing value 'NA'"),
            std::string::npos)
      << message;
  for (const char* token : {"", "?"}) {
    const CsvTable u = parse(std::string("a,label\n") + token + ",x\n");
    EXPECT_THROW(fit_tabular(u, rows(0, 1), {}), ConfigError) << "'" << token << "'";
  }
}

TEST(CsvTest, MissingLabelIsAnErrorEvenWhenImputing) {
  const CsvTable t = parse("a,label\n1,x\n2,NA\n");
  CsvOptions o;
  o.missing = MissingPolicy::mean;
  EXPECT_NE(config_error([&] { fit_tabular(t, rows(0, 2), o); }).find("missing label"),
            std::string::npos);
}

TEST(CsvTest, ImputationUsesTheTrainingMean) {
  // Rows 0-2 train, row 3 test: the mean of 1, 5 and (missing) is 3; the test row's 100 is not
  // part of it.
  const CsvTable t = parse("a,c,label\n1,u,x\n5,v,y\n?,,x\n100,NA,y\n");
  CsvOptions o;
  o.missing = MissingPolicy::mean;
  o.standardize = false;
  const TabularEncoder enc = fit_tabular(t, rows(0, 3), o);
  const Dataset train = encode_tabular(t, rows(0, 3), enc, "t");
  EXPECT_FLOAT_EQ(at(train, 2, 0), 3.0f);
  // One-hot of c over the two present training rows: u and v each half the time.
  EXPECT_FLOAT_EQ(at(train, 2, 1), 0.5f);
  EXPECT_FLOAT_EQ(at(train, 2, 2), 0.5f);
  const std::vector<std::int64_t> test{3};
  const Dataset held = encode_tabular(t, test, enc, "t");
  EXPECT_FLOAT_EQ(at(held, 0, 0), 100.0f);
  EXPECT_FLOAT_EQ(at(held, 0, 1), 0.5f);
}

TEST(CsvTest, StandardisationIsFittedOnTrainingRowsOnly) {
  const CsvTable t = parse("a,label\n1,x\n3,y\n5,x\n7,y\n1000,x\n");
  const TabularEncoder enc = fit_tabular(t, rows(0, 4), {});
  ASSERT_EQ(enc.mean.size(), 1u);
  EXPECT_FLOAT_EQ(enc.mean[0], 4.0f);
  EXPECT_FLOAT_EQ(enc.std[0], std::sqrt(5.0f));
  const Dataset train = encode_tabular(t, rows(0, 4), enc, "t");
  double sum = 0.0, sum_sq = 0.0;
  for (float v : train.values) {
    sum += v;
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum / 4.0, 0.0, 1e-6);
  EXPECT_NEAR(sum_sq / 4.0, 1.0, 1e-6);
  const Dataset test = encode_tabular(t, rows(4, 5), enc, "t");
  EXPECT_FLOAT_EQ(test.values[0], (1000.0f - 4.0f) / std::sqrt(5.0f));
}

TEST(CsvTest, ConstantColumnIsNotDividedByZero) {
  const CsvTable t = parse("a,b,label\n2,1,x\n2,3,y\n");
  const Dataset ds = encode_tabular(t, rows(0, 2), fit_tabular(t, rows(0, 2), {}), "t");
  for (float v : ds.values) EXPECT_TRUE(std::isfinite(v));
  EXPECT_FLOAT_EQ(at(ds, 0, 0), 0.0f);
}

TEST(CsvTest, UnseenCategoryIsAllZerosAndUnseenLabelIsAnError) {
  const CsvTable t = parse("c,label\nu,x\nv,y\nw,x\nu,z\n");
  const TabularEncoder enc = fit_tabular(t, rows(0, 2), {});
  const Dataset ds = encode_tabular(t, rows(2, 3), enc, "t");
  EXPECT_EQ(ds.values, (std::vector<float>{0, 0}));
  EXPECT_NE(config_error([&] {
              encode_tabular(t, rows(3, 4), enc, "t");
            }).find("t.csv:5: column 'label' (column 2): label 'z'"),
            std::string::npos);
}

TEST(CsvTest, TextInANumericColumnNamesTheCell) {
  const CsvTable t = parse("a,label\n1,x\n2,y\nlots,x\n");
  const TabularEncoder enc = fit_tabular(t, rows(0, 2), {});
  const std::string message = config_error([&] { encode_tabular(t, rows(2, 3), enc, "t"); });
  EXPECT_NE(message.find("t.csv:4: column 'a' (column 1): 'lots' is not a number"),
            std::string::npos)
      << message;
}

TEST(CsvTest, UnknownLabelColumnSuggestsTheNearestName) {
  const CsvTable t = parse("a,lable\n1,x\n");
  const std::string message = config_error([&] { fit_tabular(t, rows(0, 1), {}); });
  EXPECT_NE(message.find("did you mean 'lable'"), std::string::npos) << message;
}

TEST(CsvTest, IgnoredColumnsAreLeftOutAndColumnsAreFoundByName) {
  const CsvTable train = parse("id,a,label\n1,0.5,x\n2,1.5,y\n");
  CsvOptions o;
  o.ignore = {"id"};
  o.standardize = false;
  const TabularEncoder enc = fit_tabular(train, rows(0, 2), o);
  EXPECT_EQ(enc.feature_names, (std::vector<std::string>{"a"}));
  const CsvTable test = parse("label,a\ny,2.5\n", "test.csv");
  const Dataset ds = encode_tabular(test, rows(0, 1), enc, "t");
  EXPECT_EQ(ds.values, (std::vector<float>{2.5f}));
  EXPECT_EQ(ds.labels, (std::vector<std::int32_t>{1}));
}

TEST(CsvTest, IdLikeColumnWithTooManyCategoriesIsRefused) {
  std::string text = "code,label\n";
  for (std::size_t i = 0; i <= kMaxCategories; ++i) text += "id" + std::to_string(i) + ",x\n";
  const CsvTable t = parse(text);
  EXPECT_NE(config_error([&] {
              fit_tabular(t, rows(0, static_cast<std::int64_t>(t.rows.size())), {});
            }).find("ignore"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
