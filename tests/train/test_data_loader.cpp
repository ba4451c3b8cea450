#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/buffer_pool.h"
#include "core/error.h"
#include "data/fixtures.h"
#include "train/data/loader.h"

namespace dither {
namespace {

using dither::testing::numbered_points;

// The sample ids of every batch of `epoch`, concatenated, read from the batch tensors.
std::vector<std::int64_t> epoch_order(BatchLoader& loader, std::int64_t epoch) {
  std::vector<std::int64_t> order;
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) {
    const Batch batch = loader.batch(epoch, b);
    for (std::int64_t k = 0; k < batch.inputs.size(0); ++k) {
      order.push_back(
          static_cast<std::int64_t>(batch.inputs.data()[static_cast<std::size_t>(2 * k)]));
    }
  }
  return order;
}

TEST(BatchLoaderTest, EachEpochVisitsEverySampleOnce) {
  const Dataset ds = numbered_points(23);
  BatchLoader loader(ds, {.batch_size = 5}, 11);
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    std::vector<std::int64_t> order = epoch_order(loader, epoch);
    std::sort(order.begin(), order.end());
    std::vector<std::int64_t> expected(23);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(order, expected) << "epoch " << epoch;
  }
}

TEST(BatchLoaderTest, SameSeedAndEpochGiveTheSameOrderInAFreshLoader) {
  const Dataset ds = numbered_points(40);
  BatchLoader a(ds, {.batch_size = 8}, 5);
  BatchLoader b(ds, {.batch_size = 8}, 5);
  EXPECT_EQ(epoch_order(a, 2), epoch_order(b, 2));
  BatchLoader other_seed(ds, {.batch_size = 8}, 6);
  EXPECT_NE(epoch_order(a, 2), epoch_order(other_seed, 2));
}

TEST(BatchLoaderTest, EpochsGetDifferentOrders) {
  const Dataset ds = numbered_points(40);
  BatchLoader loader(ds, {.batch_size = 8}, 5);
  EXPECT_NE(epoch_order(loader, 0), epoch_order(loader, 1));
}

TEST(BatchLoaderTest, ResumingMidEpochReadsTheSameBatch) {
  const Dataset ds = numbered_points(30);
  BatchLoader first(ds, {.batch_size = 4}, 9);
  const std::vector<float> seen = first.batch(3, 5).inputs.to_vector();
  first.batch(4, 0);  // move on to another epoch
  BatchLoader resumed(ds, {.batch_size = 4}, 9);
  EXPECT_EQ(resumed.batch(3, 5).inputs.to_vector(), seen);
  EXPECT_EQ(first.batch(3, 5).inputs.to_vector(), seen);
}

TEST(BatchLoaderTest, LastBatchIsPartialUnlessDropped) {
  const Dataset ds = numbered_points(10);
  BatchLoader keep(ds, {.batch_size = 4}, 1);
  EXPECT_EQ(keep.num_batches(), 3);
  EXPECT_EQ(keep.batch(0, 2).inputs.shape(), (Shape{2, 2}));
  EXPECT_EQ(keep.batch(0, 2).targets.shape(), (Shape{2}));
  BatchLoader drop(ds, {.batch_size = 4, .drop_last = true}, 1);
  EXPECT_EQ(drop.num_batches(), 2);
  EXPECT_THROW(drop.batch(0, 2), Error);
}

TEST(BatchLoaderTest, WithoutShuffleBatchesFollowDatasetOrder) {
  const Dataset ds = numbered_points(7);
  BatchLoader loader(ds, {.batch_size = 3, .shuffle = false}, 1);
  const std::vector<std::int64_t> expected{0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(epoch_order(loader, 0), expected);
  EXPECT_EQ(epoch_order(loader, 4), expected);
}

TEST(BatchLoaderTest, RejectsABadBatchSizeOrIndex) {
  const Dataset ds = numbered_points(5);
  EXPECT_THROW(BatchLoader(ds, {.batch_size = 0}, 1), ConfigError);
  BatchLoader loader(ds, {.batch_size = 2}, 1);
  EXPECT_THROW(loader.batch(0, -1), Error);
  EXPECT_THROW(loader.batch(-1, 0), Error);
}

TEST(BatchLoaderTest, SteadyBatchesAllocateNoNewBuffers) {
  const Dataset ds = numbered_points(64);
  BatchLoader loader(ds, {.batch_size = 16}, 2);
  Batch batch = loader.batch(0, 0);
  batch = loader.batch(0, 1);  // warm: the pool now holds a buffer of each size
  const std::int64_t before = buffer_pool::allocation_count();
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) batch = loader.batch(0, b);
  EXPECT_EQ(buffer_pool::allocation_count(), before);
}

}  // namespace
}  // namespace dither
