#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/buffer_pool.h"
#include "core/error.h"
#include "core/tensor.h"

namespace dither {
namespace {

// Each test starts from an empty pool with a small limit and restores the default after.
class BufferPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    buffer_pool::clear();
    saved_ = buffer_pool::max_cached_bytes();
  }
  void TearDown() override {
    buffer_pool::set_max_cached_bytes(saved_);
    buffer_pool::clear();
  }
  // Whether acquiring `size` reuses a cached buffer; the buffer goes back afterwards.
  static bool cached(std::int64_t size) {
    const std::int64_t before = buffer_pool::allocation_count();
    float* data = buffer_pool::acquire(size);
    const bool reused = buffer_pool::allocation_count() == before;
    buffer_pool::release(data, size);
    return reused;
  }

 private:
  std::int64_t saved_ = 0;
};

constexpr std::int64_t kFloats = 1024;  // 4 KiB a buffer

TEST_F(BufferPoolTest, ReleasedBuffersAreReusedBySize) {
  float* a = buffer_pool::acquire(kFloats);
  buffer_pool::release(a, kFloats);
  EXPECT_EQ(buffer_pool::cached_bytes(), kFloats * 4);
  const std::int64_t before = buffer_pool::allocation_count();
  EXPECT_EQ(buffer_pool::acquire(kFloats), a);
  EXPECT_EQ(buffer_pool::allocation_count(), before);
  EXPECT_EQ(buffer_pool::cached_bytes(), 0);
  buffer_pool::release(a, kFloats);
}

TEST_F(BufferPoolTest, AFullPoolFreesTheLeastRecentlyUsedSizesForANewOne) {
  buffer_pool::set_max_cached_bytes(4 * kFloats * 4);  // three sizes fit, not four
  for (std::int64_t k = 1; k <= 3; ++k) {
    buffer_pool::release(buffer_pool::acquire(kFloats + 16 * k), kFloats + 16 * k);
  }
  EXPECT_TRUE(cached(kFloats + 16));  // size 1 is now the most recently used
  // A fourth size does not fit next to the three: size 2, the least recently used, makes room.
  buffer_pool::release(buffer_pool::acquire(kFloats), kFloats);
  EXPECT_LE(buffer_pool::cached_bytes(), 4 * kFloats * 4);
  EXPECT_TRUE(cached(kFloats));
  EXPECT_TRUE(cached(kFloats + 16));
  EXPECT_TRUE(cached(kFloats + 48));
  EXPECT_FALSE(cached(kFloats + 32));
}

TEST_F(BufferPoolTest, LoweringTheLimitFreesAtOnceAndZeroCachesNothing) {
  for (std::int64_t k = 1; k <= 4; ++k) {
    buffer_pool::release(buffer_pool::acquire(kFloats * k), kFloats * k);
  }
  EXPECT_EQ(buffer_pool::cached_bytes(), 10 * kFloats * 4);
  buffer_pool::set_max_cached_bytes(4 * kFloats * 4);
  EXPECT_LE(buffer_pool::cached_bytes(), 4 * kFloats * 4);
  EXPECT_TRUE(cached(kFloats * 4));  // the most recent survives
  buffer_pool::set_max_cached_bytes(0);
  EXPECT_EQ(buffer_pool::cached_bytes(), 0);
  EXPECT_FALSE(cached(kFloats));
  EXPECT_EQ(buffer_pool::cached_bytes(), 0);
  EXPECT_THROW(buffer_pool::set_max_cached_bytes(-1), Error);
}

TEST_F(BufferPoolTest, PoisonFillsEveryHandedOutBufferWithNan) {
  const bool saved = buffer_pool::poisoned();
  buffer_pool::set_poison(false);
  float* a = buffer_pool::acquire(kFloats);
  std::fill_n(a, kFloats, 1.0f);
  buffer_pool::release(a, kFloats);
  float* b = buffer_pool::acquire(kFloats);  // the same buffer, its old values kept
  ASSERT_EQ(b, a);
  EXPECT_EQ(b[7], 1.0f);
  buffer_pool::release(b, kFloats);
  buffer_pool::set_poison(true);
  float* c = buffer_pool::acquire(kFloats);  // recycled, now poisoned
  float* d = buffer_pool::acquire(kFloats);  // fresh, poisoned too
  EXPECT_TRUE(std::all_of(c, c + kFloats, [](float v) { return std::isnan(v); }));
  EXPECT_TRUE(std::all_of(d, d + kFloats, [](float v) { return std::isnan(v); }));
  buffer_pool::release(c, kFloats);
  buffer_pool::release(d, kFloats);
  const Tensor t = Tensor::empty({3, 5});  // what an op that writes nothing would return
  EXPECT_TRUE(std::isnan(t.to_vector()[14]));
  buffer_pool::set_poison(saved);
}

}  // namespace
}  // namespace dither
