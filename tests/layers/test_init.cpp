#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/init.h"

namespace dither {
namespace {

struct Moments {
  double mean = 0.0;
  double std = 0.0;
  double max_abs = 0.0;
};

Moments moments(const Tensor& t) {
  Moments m;
  for (float v : t.data()) {
    m.mean += v;
    m.max_abs = std::max(m.max_abs, static_cast<double>(std::abs(v)));
  }
  m.mean /= static_cast<double>(t.numel());
  for (float v : t.data()) m.std += (v - m.mean) * (v - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(t.numel() - 1));
  return m;
}

// 200 x 500 = 100k draws: the sample std is within ~0.5% of the truth, so 2% is a safe margin.
constexpr std::int64_t kFanOut = 200;
constexpr std::int64_t kFanIn = 500;

void expect_uniform(const Tensor& t, double bound) {
  const Moments m = moments(t);
  EXPECT_LE(m.max_abs, bound);
  EXPECT_GT(m.max_abs, 0.999 * bound);
  EXPECT_NEAR(m.mean, 0.0, 0.02 * bound);
  EXPECT_NEAR(m.std, bound / std::sqrt(3.0), 0.02 * bound / std::sqrt(3.0));
}

void expect_normal(const Tensor& t, double std) {
  const Moments m = moments(t);
  EXPECT_NEAR(m.mean, 0.0, 0.02 * std);
  EXPECT_NEAR(m.std, std, 0.02 * std);
}

class InitTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

TEST_F(InitTest, DefaultIsPyTorchsKaimingUniformWithASqrt5) {
  expect_uniform(init_weight("default", {kFanOut, kFanIn}, kFanIn, kFanOut),
                 1.0 / std::sqrt(static_cast<double>(kFanIn)));
}

TEST_F(InitTest, KaimingUniformUsesTheReluGain) {
  expect_uniform(init_weight("kaiming_uniform", {kFanOut, kFanIn}, kFanIn, kFanOut),
                 std::sqrt(6.0 / kFanIn));
}

TEST_F(InitTest, KaimingNormalHasStdSqrtTwoOverFanIn) {
  expect_normal(init_weight("kaiming_normal", {kFanOut, kFanIn}, kFanIn, kFanOut),
                std::sqrt(2.0 / kFanIn));
}

TEST_F(InitTest, XavierUniformBoundUsesBothFans) {
  expect_uniform(init_weight("xavier_uniform", {kFanOut, kFanIn}, kFanIn, kFanOut),
                 std::sqrt(6.0 / (kFanIn + kFanOut)));
}

TEST_F(InitTest, XavierNormalStdUsesBothFans) {
  expect_normal(init_weight("xavier_normal", {kFanOut, kFanIn}, kFanIn, kFanOut),
                std::sqrt(2.0 / (kFanIn + kFanOut)));
}

TEST_F(InitTest, ExplicitGainsScaleTheBound) {
  const RandomStream stream(1, "test");
  expect_uniform(kaiming_uniform({kFanOut, kFanIn}, kFanIn, kFanOut, stream, 1.0),
                 std::sqrt(3.0 / kFanIn));
  expect_normal(xavier_normal({kFanOut, kFanIn}, kFanIn, kFanOut, stream, 2.0),
                2.0 * std::sqrt(2.0 / (kFanIn + kFanOut)));
}

TEST_F(InitTest, BiasAndUniformAndNormalHelpers) {
  expect_uniform(init_bias({100'000}, 64), 1.0 / 8.0);
  expect_uniform(init_uniform({100'000}, 0.3), 0.3);
  expect_normal(init_normal({100'000}, 1.0), 1.0);
}

TEST_F(InitTest, SameSeedGivesBitwiseTheSameWeights) {
  manual_seed(42);
  const Tensor a = init_weight("kaiming_normal", {8, 8}, 8, 8);
  const Tensor a_next = init_weight("kaiming_normal", {8, 8}, 8, 8);
  manual_seed(42);
  const Tensor b = init_weight("kaiming_normal", {8, 8}, 8, 8);
  manual_seed(43);
  const Tensor c = init_weight("kaiming_normal", {8, 8}, 8, 8);
  EXPECT_EQ(a.to_vector(), b.to_vector());
  EXPECT_NE(a.to_vector(), a_next.to_vector());
  EXPECT_NE(a.to_vector(), c.to_vector());
}

TEST_F(InitTest, ReadInitDefaultsAndValidates) {
  const nlohmann::json absent = {{"type", "linear"}};
  EXPECT_EQ(read_init(JsonReader(absent, "model.layers[1]")), "default");
  const nlohmann::json given = {{"init", "xavier_normal"}};
  EXPECT_EQ(read_init(JsonReader(given, "model.layers[1]")), "xavier_normal");
  const nlohmann::json typo = {{"init", "kaiming_unifrom"}};
  const std::string message =
      testing::config_error([&] { read_init(JsonReader(typo, "model.layers[1]")); });
  EXPECT_EQ(message.rfind("model.layers[1].init: unknown value 'kaiming_unifrom' (did you mean "
                          "'kaiming_uniform'?)",
                          0),
            0u)
      << message;
}

TEST_F(InitTest, UnknownSchemeAndEmptyFansThrow) {
  EXPECT_THROW(init_weight("orthogonal", {2, 2}, 2, 2), ConfigError);
  EXPECT_THROW(init_weight("default", {2, 0}, 0, 2), Error);
  EXPECT_THROW(init_bias({2}, 0), Error);
}

}  // namespace
}  // namespace dither
