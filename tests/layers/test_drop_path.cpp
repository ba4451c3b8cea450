#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/drop_path.h"
#include "layers/registry.h"
#include "layers/residual.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

TEST(DropPathTest, KeepsTheExpectationOverDraws) {
  DropPath layer(0.2);
  const Tensor x = testing::random_uniform({4, 3}, -1.0f, 1.0f, 1);
  const int draws = 4000;
  std::vector<double> total(12, 0.0);
  for (int t = 0; t < draws; ++t) {
    layer.set_noise_clock({1, t, kTrainPass});
    const Tensor y = layer(x);
    for (std::size_t i = 0; i < 12; ++i) total[i] += y.ptr()[i];
  }
  for (std::size_t i = 0; i < 12; ++i) {
    // Each draw is x / 0.8 or 0: standard error |x| sqrt(0.25 / 4000) = 0.0079 |x|.
    const double x_i = x.ptr()[i];
    EXPECT_NEAR(total[i] / draws, x_i, 0.035 * std::abs(x_i) + 1e-6) << "element " << i;
  }
}

TEST(DropPathTest, DropsWholeSamplesAtRateP) {
  DropPath layer(0.3);
  const Tensor y = layer(Tensor::ones({2000, 3, 2, 2}));
  int dropped = 0;
  for (std::int64_t n = 0; n < 2000; ++n) {
    const float* sample = y.ptr() + n * 12;
    for (std::int64_t k = 0; k < 12; ++k) ASSERT_EQ(sample[k], sample[0]) << "sample " << n;
    ASSERT_TRUE(sample[0] == 0.0f || std::abs(sample[0] - 1.0f / 0.7f) < 1e-6f) << sample[0];
    dropped += sample[0] == 0.0f;
  }
  EXPECT_NEAR(dropped, 600, 80);  // binomial sd 20.5
}

TEST(DropPathTest, EvalZeroAndOne) {
  DropPath layer(0.5);
  const Tensor x = testing::random_uniform({3, 4}, -1.0f, 1.0f, 2);
  layer.eval();
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).ptr(), x.ptr());
  EXPECT_EQ(DropPath(0.0)(x).ptr(), x.ptr());
  EXPECT_EQ(DropPath(1.0)(x).to_vector(), std::vector<float>(12, 0.0f));
  const Tensor one = DropPath(0.5)(testing::random_uniform({1, 5}, 1.0f, 2.0f, 3));
  EXPECT_TRUE(one.ptr()[0] == 0.0f || one.ptr()[0] > 1.9f);  // batch of one: all or nothing
}

TEST(DropPathTest, DropsTheResidualBranchPerSample) {
  const nlohmann::json spec = {
      {"type", "residual"},
      {"layers", {{{"type", "linear"}, {"out", 4}}, {{"type", "drop_path"}, {"p", 0.5}}}}};
  auto block = testing::build_layer(spec, {4});
  block->set_path("model.0");
  block->set_noise_clock({5, 1, kTrainPass});
  const Tensor x = testing::random_uniform({64, 4}, -1.0f, 1.0f, 4);
  const Tensor y = (*block)(x);
  block->eval();
  const Tensor full = (*block)(x);
  int skipped = 0;
  for (std::int64_t n = 0; n < 64; ++n) {
    bool identity = true;
    for (std::int64_t k = 0; k < 4; ++k)
      identity = identity && y.ptr()[n * 4 + k] == x.ptr()[n * 4 + k];
    if (identity) {
      ++skipped;
      continue;
    }
    // Kept: x + f(x) / (1 - p) = x + 2 (full - x).
    for (std::int64_t k = 0; k < 4; ++k) {
      const std::int64_t i = n * 4 + k;
      EXPECT_NEAR(y.ptr()[i], x.ptr()[i] + 2.0f * (full.ptr()[i] - x.ptr()[i]), 1e-5);
    }
  }
  EXPECT_GT(skipped, 16);
  EXPECT_LT(skipped, 48);
}

TEST(DropPathTest, GradientMatchesFiniteDifferencesAtAFixedClock) {
  DropPath layer(0.5);
  layer.set_noise_clock({2, 3, kTrainPass});
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({6, 3}, -1.0f, 1.0f, 5)));
}

TEST(DropPathTest, MasksFollowTheNoiseClock) {
  DropPath layer(0.5);
  testing::expect_noise_follows_clock(layer, Tensor::ones({32, 2}));
}

TEST(DropPathTest, BuildsFromJsonAndRoundTrips) {
  EXPECT_EQ(testing::build_layer({{"type", "drop_path"}}, {3, 4})->to_json(),
            (nlohmann::json{{"type", "drop_path"}, {"p", 0.1}}));
  const nlohmann::json spec = {{"type", "drop_path"}, {"p", 0.25}};
  EXPECT_EQ(testing::build_layer(spec, {7})->to_json(), spec);
  EXPECT_THROW(testing::build_layer({{"type", "drop_path"}, {"p", 1.5}}, {7}), ConfigError);
  EXPECT_THROW(testing::build_layer({{"type", "drop_path"}, {"rate", 0.1}}, {7}), ConfigError);
}

}  // namespace
}  // namespace dither
