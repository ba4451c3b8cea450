#include <gtest/gtest.h>

#include <vector>

#include "core/parallel.h"

namespace dither {
namespace {

// Denormal arithmetic is many times slower; every thread that runs dither's loops treats denormals
// as zero and flushes denormal results to zero.
TEST(DenormalsTest, AreFlushedToZeroOnEveryWorkerThread) {
  set_num_threads(2);
  const std::int64_t n = 1 << 20;
  std::vector<float> out(static_cast<std::size_t>(n), 1.0f);
  volatile float tiny = 1e-39f;  // below FLT_MIN: a denormal
  const float input = tiny;
  parallel_for(
      n,
      [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) out[static_cast<std::size_t>(i)] = input * 1.5f;
      },
      1024);
  for (float v : out) ASSERT_EQ(v, 0.0f);
}

}  // namespace
}  // namespace dither
