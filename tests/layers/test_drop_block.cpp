#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/drop_block.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

DropBlock make(double p, std::int64_t block_size, std::int64_t ramp_steps = 0) {
  DropBlockOptions options;
  options.p = p;
  options.block_size = block_size;
  options.ramp_steps = ramp_steps;
  return DropBlock(options);
}

double zero_fraction(const Tensor& t) {
  std::int64_t zeros = 0;
  for (float v : t.data()) zeros += v == 0.0f;
  return static_cast<double>(zeros) / static_cast<double>(t.numel());
}

double zero_fraction(const DropBlockMask& mask) {
  std::int64_t zeros = 0;
  for (std::uint8_t k : *mask.keep) zeros += k == 0;
  return static_cast<double>(zeros) / static_cast<double>(mask.keep->size());
}

// The exact expected fraction dropped: position (i, j) is covered by n_r(i) n_c(j) candidate
// blocks, each seeded with probability gamma, so it survives with (1 - gamma)^(n_r n_c).
double expected_drop(double p, std::int64_t bs, std::int64_t h, std::int64_t w) {
  const double gamma = drop_block_gamma(p, bs, h, w);
  auto covering = [bs](std::int64_t i, std::int64_t size) {
    return std::min(i, size - bs) - std::max<std::int64_t>(0, i - bs + 1) + 1;
  };
  double dropped = 0.0;
  for (std::int64_t i = 0; i < h; ++i) {
    for (std::int64_t j = 0; j < w; ++j) {
      dropped += 1.0 - std::pow(1.0 - gamma, static_cast<double>(covering(i, h) * covering(j, w)));
    }
  }
  return dropped / static_cast<double>(h * w);
}

TEST(DropBlockTest, GammaIsThePapersFormula) {
  EXPECT_NEAR(drop_block_gamma(0.1, 3, 10, 10), 0.1 / 9.0 * 100.0 / 64.0, 1e-15);
  EXPECT_NEAR(drop_block_gamma(0.2, 2, 6, 9), 0.2 / 4.0 * 54.0 / 40.0, 1e-15);
  EXPECT_EQ(drop_block_gamma(1.0, 1, 4, 4), 1.0);
  EXPECT_EQ(drop_block_gamma(1.0, 3, 3, 3), 1.0);  // 1 / 9 * 9 / 1, clamped
}

TEST(DropBlockTest, DropsAboutPOfALargeMapInBlocks) {
  const Shape shape{8, 16, 64, 64};
  const DropBlockMask mask = drop_block_mask(shape, 0.1, 3, RandomStream(1, "db"));
  const double exact = expected_drop(0.1, 3, 64, 64);
  EXPECT_NEAR(exact, 0.1, 0.005);  // overlaps and borders move it only a little from p
  // 524,288 elements in blocks of 9: about 58,000 independent units, standard error 0.0013.
  EXPECT_NEAR(zero_fraction(mask), exact, 0.005);
}

TEST(DropBlockTest, BlockSizeOneIsDropoutAtRateP) {
  const DropBlockMask mask = drop_block_mask({20, 10, 30, 30}, 0.3, 1, RandomStream(2, "db"));
  EXPECT_NEAR(zero_fraction(mask), 0.3, 0.004);  // standard error 0.0008
}

TEST(DropBlockTest, ZerosAreUnionsOfWholeSquaresThatFit) {
  const std::int64_t h = 12;
  const std::int64_t w = 9;
  const std::int64_t bs = 4;
  const DropBlockMask mask = drop_block_mask({30, 2, h, w}, 0.15, bs, RandomStream(3, "db"));
  const std::uint8_t* m = mask.keep->data();
  EXPECT_GT(zero_fraction(mask), 0.02);
  for (std::int64_t q = 0; q < 60; ++q) {
    const std::uint8_t* map = m + q * h * w;
    auto square_is_zero = [&](std::int64_t r, std::int64_t c) {
      for (std::int64_t i = r; i < r + bs; ++i) {
        for (std::int64_t j = c; j < c + bs; ++j) {
          if (map[i * w + j] != 0) return false;
        }
      }
      return true;
    };
    for (std::int64_t i = 0; i < h; ++i) {
      for (std::int64_t j = 0; j < w; ++j) {
        if (map[i * w + j] != 0) continue;
        bool covered = false;
        for (std::int64_t r = std::max<std::int64_t>(0, i - bs + 1); r <= std::min(i, h - bs);
             ++r) {
          for (std::int64_t c = std::max<std::int64_t>(0, j - bs + 1); c <= std::min(j, w - bs);
               ++c) {
            covered = covered || square_is_zero(r, c);
          }
        }
        ASSERT_TRUE(covered) << "map " << q << " zero at (" << i << ", " << j << ")";
      }
    }
  }
}

TEST(DropBlockTest, RenormalisesByTheBatchsKeptCount) {
  DropBlock layer = make(0.2, 3);
  const Tensor y = layer(Tensor::ones({6, 4, 10, 10}));
  const double kept = 1.0 - zero_fraction(y);
  const float scale = *std::max_element(y.ptr(), y.ptr() + y.numel());
  for (float v : y.data()) ASSERT_TRUE(v == 0.0f || v == scale);
  EXPECT_NEAR(scale, 1.0 / kept, 1e-5);
  EXPECT_NEAR(mean(y).item(), 1.0, 1e-5);
}

TEST(DropBlockTest, EverythingDroppedGivesZerosNotNaN) {
  const Tensor y = make(1.0, 1)(Tensor::ones({2, 3, 4, 4}));
  EXPECT_EQ(y.to_vector(), std::vector<float>(96, 0.0f));
}

TEST(DropBlockTest, EvalAndZeroRateAreTheIdentity) {
  DropBlock layer = make(0.3, 2);
  const Tensor x = testing::random_uniform({2, 3, 5, 5}, -1.0f, 1.0f, 4);
  layer.eval();
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), x.to_vector());
  DropBlock off = make(0.0, 2);
  EXPECT_EQ(off(x).ptr(), x.ptr());
}

TEST(DropBlockTest, RampsTheRateWithTheStepAndMcUsesTheFullRate) {
  DropBlock layer = make(0.2, 3, 100);
  for (const auto& [step, rate] : {std::pair{0, 0.0}, {50, 0.1}, {100, 0.2}, {400, 0.2}}) {
    layer.set_noise_clock({1, step, kTrainPass});
    EXPECT_DOUBLE_EQ(layer.rate(), rate) << "step " << step;
  }
  layer.set_noise_clock({1, 0, kEvalPass});
  const Tensor x = testing::random_uniform({1, 1, 6, 6}, 1.0f, 2.0f, 5);
  EXPECT_EQ(layer(x).ptr(), x.ptr()) << "rate 0 at step 0";
  layer.eval();
  layer.set_mc_sampling(true);
  EXPECT_DOUBLE_EQ(layer.rate(), 0.2);
}

TEST(DropBlockTest, GradientMatchesFiniteDifferencesAtAFixedClock) {
  DropBlock layer = make(0.3, 2);
  layer.set_noise_clock({3, 7, kTrainPass});
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({2, 2, 5, 5}, -1, 1, 6)));
}

TEST(DropBlockTest, MasksFollowTheNoiseClock) {
  DropBlock layer = make(0.3, 3);
  testing::expect_noise_follows_clock(layer, Tensor::ones({4, 4, 8, 8}));
}

TEST(DropBlockTest, SameMaskAtOneAndTwoThreads) {
  const int threads = num_threads();
  set_num_threads(1);
  const DropBlockMask one = drop_block_mask({4, 64, 16, 16}, 0.2, 3, RandomStream(8, "db"));
  set_num_threads(2);
  const DropBlockMask two = drop_block_mask({4, 64, 16, 16}, 0.2, 3, RandomStream(8, "db"));
  set_num_threads(threads);
  EXPECT_EQ(*one.keep, *two.keep);
  EXPECT_EQ(one.scale, two.scale);
}

TEST(DropBlockTest, BatchOfOneAndBlocksTheSizeOfTheMap) {
  const Tensor one = make(0.5, 4)(Tensor::ones({1, 1, 4, 4}));
  EXPECT_TRUE(zero_fraction(one) == 0.0 || zero_fraction(one) == 1.0);
}

TEST(DropBlockTest, WrongShapesAreRefusedInEveryMode) {
  DropBlock layer = make(0.1, 5);
  for (bool training : {true, false}) {
    layer.train(training);
    EXPECT_THROW(layer(Tensor::zeros({2, 3, 8})), ShapeError);
    EXPECT_THROW(layer(Tensor::zeros({2, 3, 4, 8})), ShapeError);
  }
  EXPECT_THROW(make(1.5, 3), ConfigError);
  EXPECT_THROW(make(0.1, 0), ConfigError);
}

TEST(DropBlockTest, BuildsFromJsonRoundTripsAndRefusesBlocksThatDoNotFit) {
  const nlohmann::json spec = {{"type", "drop_block"}};
  const nlohmann::json full = testing::build_layer(spec, {8, 9, 9})->to_json();
  EXPECT_EQ(full, (nlohmann::json{
                      {"type", "drop_block"}, {"p", 0.1}, {"block_size", 7}, {"ramp_steps", 0}}));
  const nlohmann::json given = {
      {"type", "drop_block"}, {"p", 0.25}, {"block_size", 2}, {"ramp_steps", 300}};
  EXPECT_EQ(testing::build_layer(given, {3, 5, 5})->to_json(), given);
  std::string m = testing::config_error([&] { testing::build_layer(spec, {8, 6, 6}); });
  EXPECT_NE(m.find("model.layers[0].block_size: 7 does not fit"), std::string::npos) << m;
  m = testing::config_error([&] { testing::build_layer(spec, {64}); });
  EXPECT_NE(m.find("model.layers[0]: drop_block needs a per-sample input [C,H,W]"),
            std::string::npos)
      << m;
  EXPECT_THROW(testing::build_layer({{"type", "drop_block"}, {"block", 3}}, {1, 8, 8}),
               ConfigError);
}

}  // namespace
}  // namespace dither
