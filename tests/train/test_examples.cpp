// What the project ships must work as documented: every example config builds (data, model,
// hooks checked against the data), every robustness suite loads, and every file the README and
// the docs name exists.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_testing.h"
#include "source_tree.h"
#include "train/data/registry.h"
#include "train/ood.h"
#include "train/robustness.h"
#include "train/run.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

const fs::path& kSource = testing::kSourceTree;

std::vector<std::string> files_in(const fs::path& folder, const std::string& extension) {
  std::vector<std::string> names;
  if (!fs::exists(folder)) return names;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().extension() == extension) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// gtest parameter names allow only letters, digits and underscores.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.rfind('.'));
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string lines(const std::set<std::string>& items) {
  std::string all;
  for (const auto& item : items) all += item + "\n";
  return all;
}

class ShippedConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedConfig, BuildsAgainstItsData) {
  const fs::path config = kSource / "examples/configs" / GetParam();
  const std::string text = slurp(config);
  if (text.find(testing::kFashionMnist) != std::string::npos && !fs::exists(testing::kFashionMnist))
    GTEST_SKIP() << testing::kFashionMnist << " is not installed";
  std::string description;
  ASSERT_NO_THROW(description = describe_config(config.string(), {})) << config;
  EXPECT_FALSE(read_config(config.string()).value("description", "").empty())
      << config << ": an example says what it shows";
}

INSTANTIATE_TEST_SUITE_P(Examples, ShippedConfig,
                         ::testing::ValuesIn(files_in(kSource / "examples/configs", ".json")),
                         test_name);

class ShippedSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedSuite, Loads) {
  EXPECT_NO_THROW(RobustnessSuite::load(kSource / "examples/robustness" / GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Examples, ShippedSuite,
                         ::testing::ValuesIn(files_in(kSource / "examples/robustness", ".json")),
                         test_name);

class ShippedOodSpec : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedOodSpec, LoadsAgainstTheDataItIsFor) {
  const fs::path spec = kSource / "examples/ood" / GetParam();
  if (slurp(spec).find(testing::kFashionMnist) != std::string::npos &&
      !fs::exists(testing::kFashionMnist))
    GTEST_SKIP() << testing::kFashionMnist << " is not installed";
  // moons_*.json are for the moons examples, the others for Fashion-MNIST's 28x28 grey images.
  DatasetInfo reference = load_data({{"name", "moons"}, {"test_size", 10}}, 1).test;
  if (GetParam().rfind("moons", 0) != 0) {
    reference.name = "fashion-mnist";
    reference.kind = InputKind::image;
    reference.sample_shape = {1, 28, 28};
    reference.value_range = {0.0f, 1.0f};
  }
  Dataset ood;
  ASSERT_NO_THROW(ood = load_ood_set(spec, reference, 42)) << spec;
  EXPECT_GT(ood.size(), 0);
}

INSTANTIATE_TEST_SUITE_P(Examples, ShippedOodSpec,
                         ::testing::ValuesIn(files_in(kSource / "examples/ood", ".json")),
                         test_name);

// The markdown files whose references are checked: README.md and everything under docs/.
std::vector<fs::path> documents() {
  std::vector<fs::path> docs{kSource / "README.md"};
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "docs"))
    if (entry.path().extension() == ".md") docs.push_back(entry.path());
  return docs;
}

TEST(Docs, NameOnlyShippedExamples) {
  // `examples/configs/x.json`, `examples/robustness/y.json`, ...: relative to the source tree.
  const std::regex example(R"(examples/[a-z_]+/[A-Za-z0-9_.-]+\.json)");
  std::set<std::string> missing;
  for (const fs::path& doc : documents()) {
    const std::string text = slurp(doc);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), example);
         it != std::sregex_iterator(); ++it) {
      if (!fs::exists(kSource / it->str()))
        missing.insert(fs::relative(doc, kSource).string() + ": " + it->str());
    }
  }
  EXPECT_TRUE(missing.empty()) << lines(missing);
}

TEST(Docs, LinksAndPicturesExist) {
  // Markdown links and images to local files: ](path) with no scheme, resolved from the
  // document's folder; anchors (#...) are dropped.
  const std::regex link(R"(\]\(([^)#:\s]+)(#[^)]*)?\))");
  std::set<std::string> missing;
  for (const fs::path& doc : documents()) {
    const std::string text = slurp(doc);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      const fs::path target = doc.parent_path() / (*it)[1].str();
      if (!fs::exists(target))
        missing.insert(fs::relative(doc, kSource).string() + ": " + (*it)[1].str());
    }
  }
  EXPECT_TRUE(missing.empty()) << lines(missing);
}

}  // namespace
}  // namespace dither
