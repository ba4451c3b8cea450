#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "data/fixtures.h"
#include "train/data/idx.h"
#include "train/data/registry.h"

namespace dither {
namespace {

using dither::testing::config_error;
using dither::testing::TempDir;
using nlohmann::json;

TEST(DataRegistryTest, EveryGeneratedSetLoadsWithItsDefaultsWrittenDown) {
  for (const char* name : {"moons", "circles", "spirals", "blobs", "waveforms", "loans"}) {
    const DataSplits d =
        load_data({{"name", name}, {"train_size", 100}, {"test_size", 40}}, 1, "data");
    EXPECT_EQ(d.train.size() + d.validation.size(), 100) << name;
    EXPECT_EQ(d.validation.size(), 10) << name;
    EXPECT_EQ(d.test.size(), 40) << name;
    EXPECT_EQ(d.resolved.at("name"), name);
    EXPECT_EQ(d.resolved.at("validation_split"), 0.1) << name;
    EXPECT_EQ(d.resolved.at("limit_train"), 0) << name;
    EXPECT_TRUE(d.resolved.contains("train_size")) << name;
    // The resolved spec is complete: loading it again gives the same data.
    const DataSplits again = load_data(d.resolved, 1, "data");
    EXPECT_EQ(again.resolved, d.resolved) << name;
    EXPECT_EQ(again.test.values, d.test.values) << name;
  }
}

TEST(DataRegistryTest, ResolvedSpecNamesEveryKeyOfTheDataset) {
  const DataSplits d = load_data({{"name", "circles"}}, 1);
  EXPECT_EQ(d.resolved, (json{{"name", "circles"},
                              {"validation_split", 0.1},
                              {"limit_train", 0},
                              {"limit_test", 0},
                              {"train_size", 1000},
                              {"test_size", 500},
                              {"factor", 0.5},
                              {"noise", 0.05}}));
}

TEST(DataRegistryTest, GeneratedTestSetComesFromAnotherStream) {
  const DataSplits d = load_data(
      {{"name", "moons"}, {"train_size", 50}, {"test_size", 50}, {"validation_split", 0.0}}, 3);
  EXPECT_NE(d.train.values, d.test.values);
  const DataSplits other = load_data(
      {{"name", "moons"}, {"train_size", 50}, {"test_size", 50}, {"validation_split", 0.0}}, 4);
  EXPECT_NE(d.train.values, other.train.values);
}

TEST(DataRegistryTest, LimitsTakeSeededSubsetsBeforeTheValidationSplit) {
  const json spec = {{"name", "spirals"}, {"train_size", 200}, {"test_size", 100},
                     {"limit_train", 50}, {"limit_test", 30},  {"validation_split", 0.2}};
  const DataSplits d = load_data(spec, 5);
  EXPECT_EQ(d.train.size(), 40);
  EXPECT_EQ(d.validation.size(), 10);
  EXPECT_EQ(d.test.size(), 30);
  EXPECT_EQ(load_data(spec, 5).train.values, d.train.values);
}

TEST(DataRegistryTest, BlobCentresAreSharedByTrainAndTest) {
  const DataSplits d = load_data(
      {{"name", "blobs"}, {"centres", 2}, {"std", 0.0}, {"train_size", 4}, {"test_size", 4}}, 9);
  // With std 0 every point sits on its class centre, in both sets.
  EXPECT_EQ(d.test.values[0], d.train.values[0]);
  EXPECT_EQ(d.test.values[3], d.train.values[3]);
}

TEST(DataRegistryTest, UnknownNameAndKeyAreErrorsWithSuggestions) {
  EXPECT_NE(config_error([] {
              load_data({{"name", "moon"}}, 1);
            }).find("did you mean 'moons'"),
            std::string::npos);
  const std::string message = config_error([] {
    load_data({{"name", "moons"}, {"nosie", 0.2}}, 1, "data");
  });
  EXPECT_NE(message.find("data.nosie: unknown key (did you mean 'noise'?)"), std::string::npos)
      << message;
}

TEST(DataRegistryTest, OutOfRangeValuesNameTheirPath) {
  EXPECT_NE(config_error([] {
              load_data({{"name", "moons"}, {"validation_split", 1}}, 1);
            }).find("data.validation_split: must be a number in [0, 1), got 1"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              load_data({{"name", "moons"}, {"limit_train", -1}}, 1);
            }).find("data.limit_train"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              load_data({{"name", "spirals"}, {"arms", 1}}, 1);
            }).find("data.arms"),
            std::string::npos);
}

TEST(DataRegistryTest, CsvHoldsOutATestSplitAndFitsOnTrainingRowsOnly) {
  TempDir dir;
  std::string text = "x,kind,label\n";
  for (int i = 0; i < 40; ++i) {
    text += std::to_string(i) + "," + (i % 3 == 0 ? "\"a, b\"" : "c") + "," +
            (i % 2 == 0 ? "even" : "odd") + "\n";
  }
  const std::string path = dir.write("numbers.csv", text);
  const DataSplits d = load_data({{"name", "csv"}, {"path", path}, {"test_split", 0.25}}, 2);
  EXPECT_EQ(d.test.size(), 10);
  EXPECT_EQ(d.train.size() + d.validation.size(), 30);
  EXPECT_EQ(d.train.name, "numbers");
  EXPECT_EQ(d.train.class_names, (std::vector<std::string>{"even", "odd"}));
  EXPECT_EQ(d.train.feature_names, (std::vector<std::string>{"x", "kind=a, b", "kind=c"}));
  double sum = 0.0;
  for (std::int64_t i = 0; i < d.train.size(); ++i) {
    sum += d.train.values[static_cast<std::size_t>(3 * i)];
  }
  EXPECT_NEAR(sum / static_cast<double>(d.train.size()), 0.0, 1e-5);  // standardised on train
  EXPECT_EQ(d.resolved.at("missing"), "error");
  EXPECT_EQ(d.resolved.at("test_path"), "");
}

TEST(DataRegistryTest, CsvReadsASeparateTestFile) {
  TempDir dir;
  const std::string train = dir.write("train.csv", "a,y\n1,p\n2,q\n3,p\n4,q\n");
  const std::string test = dir.write("test.csv", "y,a\nq,10\n");
  const DataSplits d = load_data({{"name", "csv"},
                                  {"path", train},
                                  {"test_path", test},
                                  {"label", "y"},
                                  {"validation_split", 0}},
                                 1);
  EXPECT_EQ(d.train.size(), 4);
  ASSERT_EQ(d.test.size(), 1);
  EXPECT_EQ(d.test.labels[0], 1);
}

TEST(DataRegistryTest, MissingFilesAreConfigErrorsNamingThem) {
  EXPECT_NE(config_error([] {
              load_data({{"name", "csv"}, {"path", "/nonexistent/x.csv"}}, 1);
            }).find("/nonexistent/x.csv"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              load_data({{"name", "mnist"}, {"path", "/nonexistent/mnist"}}, 1);
            }).find("/nonexistent/mnist/train-images-idx3-ubyte"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              load_data({{"name", "csv"}}, 1, "data");
            }).find("data.path"),
            std::string::npos);
}

TEST(DataRegistryTest, FashionMnistFolderLoadsIntoThreeSplits) {
  TempDir dir;
  for (const char* prefix : {"train", "t10k"}) {
    const std::int64_t n = std::string(prefix) == "train" ? 20 : 8;
    IdxArray images{{n, 28, 28}, std::vector<std::uint8_t>(static_cast<std::size_t>(n * 784), 7)};
    IdxArray labels{{n}, {}};
    for (std::int64_t i = 0; i < n; ++i) labels.data.push_back(static_cast<std::uint8_t>(i % 10));
    write_idx(dir.file(std::string(prefix) + "-images-idx3-ubyte.gz"), images, true);
    write_idx(dir.file(std::string(prefix) + "-labels-idx1-ubyte.gz"), labels, true);
  }
  const DataSplits d =
      load_data({{"name", "fashion-mnist"}, {"path", dir.path().string()}, {"limit_test", 5}}, 1);
  EXPECT_EQ(d.train.size(), 18);
  EXPECT_EQ(d.validation.size(), 2);
  EXPECT_EQ(d.test.size(), 5);
  EXPECT_EQ(d.train.num_classes, 10);
  EXPECT_EQ(d.train.kind, InputKind::image);
}

TEST(DataRegistryTest, WordsReadTheirListsFromPath) {
  TempDir dir;
  dir.write("american-english", "apple\ndog\nhouse\nriver\nbread\n");
  dir.write("spanish", "perro\ncasa\nrio\npan\nmanzana\n");
  const DataSplits d = load_data({{"name", "words"},
                                  {"path", dir.path().string()},
                                  {"languages", {"english", "spanish"}},
                                  {"test_split", 0.2},
                                  {"validation_split", 0.0}},
                                 1);
  EXPECT_EQ(d.train.size(), 8);
  EXPECT_EQ(d.test.size(), 2);
  EXPECT_EQ(d.resolved.at("max_length"), 16);
  EXPECT_NE(config_error([&] {
              load_data({{"name", "words"}, {"languages", {"english", 3}}}, 1, "data");
            }).find("data.languages: must be a list of strings"),
            std::string::npos);
  // One language has nothing to tell apart: it was an internal error (found by fuzz_data).
  EXPECT_NE(config_error([&] {
              load_data(
                  {{"name", "words"}, {"path", dir.path().string()}, {"languages", {"english"}}}, 1,
                  "data");
            }).find("data.languages: needs at least two languages"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
