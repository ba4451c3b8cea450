#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/random.h"
#include "data/fixtures.h"
#include "train/data/dataset.h"

namespace dither {
namespace {

using dither::testing::numbered_points;

// n images of shape [1, 2, 2]; pixel j of sample i is (7 i + j) % 256, label i % 3.
Dataset tiny_images(std::int64_t n) {
  Dataset ds;
  ds.name = "tiny";
  ds.kind = InputKind::image;
  ds.sample_shape = {1, 2, 2};
  ds.num_classes = 3;
  ds.class_names = {"a", "b", "c"};
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < 4; ++j)
      ds.pixels.push_back(static_cast<std::uint8_t>((7 * i + j) % 256));
    ds.labels.push_back(static_cast<std::int32_t>(i % 3));
  }
  return ds;
}

std::vector<float> first_coordinates(const Dataset& ds) {
  std::vector<float> out;
  for (std::int64_t i = 0; i < ds.size(); ++i)
    out.push_back(ds.values[static_cast<std::size_t>(2 * i)]);
  return out;
}

TEST(DatasetTest, MakeBatchScalesPixelsAndGathersLabels) {
  const Dataset ds = tiny_images(5);
  const std::vector<std::int64_t> idx{4, 1};
  const Batch b = make_batch(ds, idx);
  EXPECT_EQ(b.inputs.shape(), (Shape{2, 1, 2, 2}));
  EXPECT_EQ(b.targets.shape(), (Shape{2}));
  for (std::size_t k = 0; k < idx.size(); ++k) {
    for (std::int64_t j = 0; j < 4; ++j) {
      const auto i = idx[k];
      EXPECT_FLOAT_EQ(b.inputs.data()[k * 4 + static_cast<std::size_t>(j)],
                      static_cast<float>(ds.pixels[static_cast<std::size_t>(i * 4 + j)]) / 255.0f);
    }
    EXPECT_FLOAT_EQ(b.targets.data()[k],
                    static_cast<float>(ds.labels[static_cast<std::size_t>(idx[k])]));
  }
}

TEST(DatasetTest, MakeBatchTurnsTokenIdsIntoFloats) {
  Dataset ds;
  ds.name = "tok";
  ds.kind = InputKind::tokens;
  ds.sample_shape = {3};
  ds.num_classes = 2;
  ds.class_names = {"x", "y"};
  ds.vocabulary = {"<pad>", "<unk>", "a", "b"};
  ds.tokens = {2, 3, 0, 3, 3, 2};
  ds.lengths = {2, 3};
  ds.labels = {1, 0};
  ds.validate();
  const std::vector<std::int64_t> idx{1, 0};
  const Batch b = make_batch(ds, idx);
  EXPECT_EQ(b.inputs.to_vector(), (std::vector<float>{3, 3, 2, 2, 3, 0}));
  EXPECT_EQ(b.targets.to_vector(), (std::vector<float>{0, 1}));
}

TEST(DatasetTest, MakeBatchRejectsAnIndexOutOfRange) {
  const Dataset ds = numbered_points(4);
  const std::vector<std::int64_t> idx{0, 4};
  try {
    make_batch(ds, idx);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index 4"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4 samples"), std::string::npos) << e.what();
  }
}

TEST(DatasetTest, ValidateCatchesInconsistentStorageAndLabels) {
  Dataset ds = numbered_points(3);
  EXPECT_NO_THROW(ds.validate());
  ds.values.pop_back();
  EXPECT_THROW(ds.validate(), Error);
  ds = numbered_points(3);
  ds.labels[1] = 2;
  EXPECT_THROW(ds.validate(), Error);
  ds = numbered_points(3);
  ds.class_names.pop_back();
  EXPECT_THROW(ds.validate(), Error);
}

TEST(DatasetTest, SubsetKeepsOrderAndInfo) {
  const Dataset ds = tiny_images(6);
  const std::vector<std::int64_t> idx{5, 0, 3};
  const Dataset sub = subset(ds, idx);
  EXPECT_EQ(sub.size(), 3);
  EXPECT_EQ(sub.name, ds.name);
  EXPECT_EQ(sub.sample_shape, ds.sample_shape);
  EXPECT_EQ(sub.class_names, ds.class_names);
  for (std::size_t k = 0; k < idx.size(); ++k) {
    EXPECT_EQ(sub.labels[k], ds.labels[static_cast<std::size_t>(idx[k])]);
    EXPECT_EQ(sub.pixels[k * 4 + 1], ds.pixels[static_cast<std::size_t>(idx[k] * 4 + 1)]);
  }
  EXPECT_NO_THROW(sub.validate());
}

TEST(DatasetTest, LimitTakesTheFirstSamplesAndZeroMeansAll) {
  const Dataset ds = numbered_points(10);
  EXPECT_EQ(first_coordinates(limit(ds, 3)), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(limit(ds, 0).size(), 10);
  EXPECT_EQ(limit(ds, 50).size(), 10);
}

TEST(DatasetTest, RandomSubsetIsSeededSortedAndWithoutRepeats) {
  const Dataset ds = numbered_points(100);
  const RandomStream s(3, "subset");
  const std::vector<float> a = first_coordinates(random_subset(ds, 20, s));
  EXPECT_EQ(a.size(), 20u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<float>(a.begin(), a.end()).size(), 20u);
  EXPECT_EQ(a, first_coordinates(random_subset(ds, 20, s)));
  EXPECT_NE(a, first_coordinates(random_subset(ds, 20, RandomStream(4, "subset"))));
  EXPECT_EQ(random_subset(ds, 0, s).size(), 100);
}

TEST(DatasetTest, SplitPartitionsTheSamplesByTheFraction) {
  const Dataset ds = numbered_points(50);
  const RandomStream s(7, "split");
  const auto [train, validation] = split(ds, 0.2, s);
  EXPECT_EQ(train.size(), 40);
  EXPECT_EQ(validation.size(), 10);
  std::vector<float> all = first_coordinates(train);
  const std::vector<float> v = first_coordinates(validation);
  all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::vector<float> expected(50);
  std::iota(expected.begin(), expected.end(), 0.0f);
  EXPECT_EQ(all, expected);
  EXPECT_EQ(first_coordinates(split(ds, 0.2, s).second), v);
  EXPECT_NE(first_coordinates(split(ds, 0.2, RandomStream(8, "split")).second), v);
}

TEST(DatasetTest, SplitWithZeroFractionKeepsEverythingForTraining) {
  const auto [train, validation] = split(numbered_points(7), 0.0, RandomStream(1, "split"));
  EXPECT_EQ(train.size(), 7);
  EXPECT_EQ(validation.size(), 0);
  EXPECT_NO_THROW(validation.validate());
}

TEST(DatasetTest, SplitRejectsAFractionOutsideTheUnitInterval) {
  EXPECT_THROW(split(numbered_points(4), 1.0, RandomStream(1, "split")), Error);
  EXPECT_THROW(split(numbered_points(4), -0.1, RandomStream(1, "split")), Error);
}

}  // namespace
}  // namespace dither
