#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/alpha_dropout.h"
#include "layers/registry.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

class AlphaDropoutTest : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(0); }
};

TEST_F(AlphaDropoutTest, KeepsZeroMeanAndUnitVarianceOnStandardNormalInput) {
  AlphaDropout layer(0.2);
  const Tensor x = Tensor::randn({100000}, RandomStream(1, "alpha-input"));
  const Tensor y = layer(x);
  const double m = mean(y).item();
  const Tensor centred = sub(y, m);
  EXPECT_NEAR(m, 0.0, 0.02);
  EXPECT_NEAR(mean(mul(centred, centred)).item(), 1.0, 0.02);
}

TEST_F(AlphaDropoutTest, MatchesPyTorchsAffineForm) {
  // PyTorch writes it with alpha = +1.7580993408473766: a = ((alpha^2 p + 1)(1 - p))^(-1/2);
  // kept units a x + alpha a p, dropped units -alpha a (1 - p).
  const double p = 0.5;
  const double alpha = 1.7580993408473766;
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1.0) * (1.0 - p));
  AlphaDropout layer(p);
  const Tensor y = layer(Tensor::full({1000}, 2.0f));
  int kept = 0;
  int dropped = 0;
  for (float v : y.data()) {
    if (std::abs(v - (a * 2.0 + alpha * a * p)) < 1e-5) ++kept;
    if (std::abs(v + alpha * a * (1.0 - p)) < 1e-5) ++dropped;
  }
  EXPECT_EQ(kept + dropped, 1000);
  EXPECT_GT(kept, 400);
  EXPECT_GT(dropped, 400);
}

TEST_F(AlphaDropoutTest, EdgeCasesAndEval) {
  const Tensor x = testing::random_uniform({3, 3}, -1.0f, 1.0f, 2);
  AlphaDropout layer(0.5);
  layer.eval();
  EXPECT_EQ(layer(x).ptr(), x.ptr());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), x.to_vector());
  AlphaDropout none(0.0);
  EXPECT_EQ(none(x).ptr(), x.ptr());
  AlphaDropout all(1.0);
  EXPECT_EQ(sum(mul(all(x), all(x))).item(), 0.0f);
  EXPECT_THROW(AlphaDropout(1.01), ConfigError);
}

TEST_F(AlphaDropoutTest, MasksFollowTheNoiseClock) {
  AlphaDropout layer(0.5);
  testing::expect_noise_follows_clock(layer, Tensor::ones({200}));
}

TEST_F(AlphaDropoutTest, GradientMatchesFiniteDifferences) {
  AlphaDropout layer(0.3);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return layer(in[0]); },
                                 {testing::random_uniform({5, 6}, -1.0f, 1.0f, 9)}));
}

TEST_F(AlphaDropoutTest, BuildsFromJsonAndRoundTrips) {
  const nlohmann::json spec = {{"type", "alpha_dropout"}, {"p", 0.1}};
  EXPECT_EQ(LayerRegistry::instance().create(LayerContext{spec, "m", {4}})->to_json(), spec);
  const nlohmann::json bad = {{"type", "alpha_dropout"}, {"p", 0.1}, {"seed", 3}};
  EXPECT_THROW(LayerRegistry::instance().create(LayerContext{bad, "m", {4}}), ConfigError);
}

}  // namespace
}  // namespace dither
