#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/data/class_filter.h"
#include "train/data/registry.h"

namespace dither {
namespace {

TEST(ClassFilterTest, KeepsListedClassesRelabelledInListOrder) {
  const DataSplits all = load_data({{"name", "blobs"}, {"centres", 4}, {"test_size", 200}}, 3);
  const std::vector<std::int64_t> classes{3, 1};
  const Dataset kept = keep_classes(all.test, classes, "data.classes");
  std::int64_t expected = 0;
  for (std::int32_t label : all.test.labels) expected += label == 3 || label == 1;
  ASSERT_EQ(kept.size(), expected);
  ASSERT_GT(kept.size(), 0);
  EXPECT_EQ(kept.num_classes, 2);
  EXPECT_EQ(kept.class_names,
            (std::vector<std::string>{all.test.class_names[3], all.test.class_names[1]}));
  // Sample order is kept, so the k-th kept sample is the k-th of classes 3 or 1 in the set.
  std::int64_t k = 0;
  for (std::int64_t i = 0; i < all.test.size(); ++i) {
    const std::int32_t label = all.test.labels[static_cast<std::size_t>(i)];
    if (label != 3 && label != 1) continue;
    EXPECT_EQ(kept.labels[static_cast<std::size_t>(k)], label == 3 ? 0 : 1);
    EXPECT_EQ(kept.values[static_cast<std::size_t>(2 * k)],
              all.test.values[static_cast<std::size_t>(2 * i)]);
    ++k;
  }
  EXPECT_NO_THROW(kept.validate());
}

TEST(ClassFilterTest, DataSpecFiltersEverySplit) {
  const DataSplits s = load_data({{"name", "blobs"}, {"centres", 3}, {"classes", {2}}}, 1);
  for (const Dataset* d : {&s.train, &s.validation, &s.test}) {
    EXPECT_EQ(d->num_classes, 1);
    for (std::int32_t label : d->labels) EXPECT_EQ(label, 0);
  }
  EXPECT_EQ(s.resolved["classes"], nlohmann::json::array({2}));
}

TEST(ClassFilterTest, BadListsNameThePath) {
  const auto message = [](const nlohmann::json& classes) {
    try {
      load_data({{"name", "blobs"}, {"centres", 3}, {"classes", classes}}, 1);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({5}).find("data.classes: class 5 is not in [0, 3)"), std::string::npos)
      << message({5});
  EXPECT_NE(message({1, 1}).find("data.classes: lists class 1 twice"), std::string::npos);
  EXPECT_NE(message(nlohmann::json::array()).find("data.classes"), std::string::npos);
  EXPECT_NE(message("all").find("data.classes"), std::string::npos);
}

}  // namespace
}  // namespace dither
