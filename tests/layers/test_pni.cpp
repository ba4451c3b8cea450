#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "layer_testing.h"
#include "layers/activations.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/pni.h"
#include "layers/sequential.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::make_linear;

TEST(PniTest, NoiseHasTheWeightsStandardDeviation) {
  const Tensor w = testing::random_uniform({64, 64}, -0.5f, 0.5f, 3);
  const Tensor eta = pni_noise(w, RandomStream(1, "pni"));
  const auto n = static_cast<double>(w.numel());
  const double expected = std::sqrt(var(w).item());
  double mean = 0.0;
  double sq = 0.0;
  for (std::int64_t i = 0; i < eta.numel(); ++i) {
    mean += eta.ptr()[i];
    sq += static_cast<double>(eta.ptr()[i]) * eta.ptr()[i];
  }
  mean /= n;
  const double std = std::sqrt(sq / n - mean * mean);
  // Standard errors of a normal sample's mean and std: sigma / sqrt(n), sigma / sqrt(2n).
  EXPECT_NEAR(mean, 0.0, 4.0 * expected / std::sqrt(n));
  EXPECT_NEAR(std, expected, 4.0 * expected / std::sqrt(2.0 * n));
  EXPECT_FALSE(eta.requires_grad());
  EXPECT_EQ(pni_noise(Tensor::full({1, 1}, 2.0f), RandomStream(1, "pni")).to_vector(),
            std::vector<float>{0.0f});
}

TEST(PniTest, ScaleReceivesAFiniteGradient) {
  Pni layer(make_linear(5, 4), "layer");
  const Tensor x = testing::random_uniform({3, 5}, -1.0f, 1.0f, 1);
  sum(mul(layer(x), testing::random_uniform({3, 4}, -1.0f, 1.0f, 2))).backward();
  const Tensor g = layer.a().grad();
  ASSERT_TRUE(g.defined());
  ASSERT_EQ(g.numel(), 1);
  EXPECT_TRUE(std::isfinite(g.ptr()[0]));
  EXPECT_NE(g.ptr()[0], 0.0f);
}

// With the clock fixed the noise is fixed, so central differences in x, a and the bias see the
// layer's exact function. The weight is checked through W' = W + a * eta with eta held: a
// difference in W would also move std(W), which the layer detaches as the reference does.
TEST(PniTest, GradientsMatchFiniteDifferencesWithTheNoiseFixed) {
  for (const char* granularity : {"layer", "channel"}) {
    Pni layer(make_linear(4, 3), granularity);
    layer.set_noise_clock(NoiseClock{3, 1, 0});
    const Tensor x = testing::random_uniform({2, 4}, -1.0f, 1.0f, 6);
    testing::GradCheckOptions options;
    options.check_inputs = {true, true, false, true};  // x, a, layer.weight, layer.bias
    EXPECT_TRUE(testing::layer_gradcheck(layer, x, options)) << granularity;
  }
  const Tensor w = testing::random_uniform({3, 4}, -1.0f, 1.0f, 7);
  const Tensor eta = pni_noise(w, RandomStream(2, "pni"));
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return add(in[0], mul(in[1], eta)); },
                                 {w, testing::random_uniform({3, 1}, 0.0f, 1.0f, 8)}));
}

TEST(PniTest, ConvGradientsMatchFiniteDifferences) {
  Conv2dOptions options;
  options.in = 2;
  options.out = 2;
  options.kernel = {2, 2};
  Pni layer(std::make_shared<Conv2d>(options), "channel");
  testing::GradCheckOptions check;
  check.check_inputs = {true, true, false, true};
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({1, 2, 3, 3}, -1.0f, 1.0f, 9),
                                       check));
}

TEST(PniTest, OnlyAtEvalMakesAModelDrawNoiseInEval) {
  // What evaluate() checks before running batches in parallel on one shared model.
  using Layers = std::vector<std::shared_ptr<Module>>;
  const Sequential plain(
      Layers{std::make_shared<Pni>(make_linear(4, 3)), std::make_shared<ReLU>()});
  const Sequential noisy(Layers{std::make_shared<ReLU>(),
                                std::make_shared<Pni>(make_linear(4, 3), "layer", 0.25, true)});
  EXPECT_FALSE(plain.draws_noise_in_eval());
  EXPECT_TRUE(noisy.draws_noise_in_eval());
}

TEST(PniTest, LayerAndChannelScalesHaveTheirShapes) {
  EXPECT_EQ(Pni(make_linear(4, 3), "layer").a().shape(), (Shape{1}));
  EXPECT_EQ(Pni(make_linear(4, 3), "channel").a().shape(), (Shape{3, 1}));
  Conv2dOptions options;
  options.in = 2;
  options.out = 5;
  options.kernel = {3, 3};
  EXPECT_EQ(Pni(std::make_shared<Conv2d>(options), "channel").a().shape(), (Shape{5, 1, 1, 1}));
  EXPECT_EQ(Pni(make_linear(4, 3), "layer", 0.4).a().to_vector(), std::vector<float>{0.4f});
}

TEST(PniTest, ChannelScalesActOnTheirOwnOutputs) {
  auto linear = make_linear(6, 3);
  Pni layer(linear, "channel");
  testing::set_values(layer.a(), {0.0f, 0.0f, 1.0f});
  const Tensor x = testing::random_uniform({2, 6}, -1.0f, 1.0f, 4);
  const Tensor plain = (*linear)(x);
  const Tensor y = layer(x);
  for (std::int64_t r = 0; r < 2; ++r) {
    EXPECT_EQ(y.ptr()[r * 3], plain.ptr()[r * 3]);
    EXPECT_EQ(y.ptr()[r * 3 + 1], plain.ptr()[r * 3 + 1]);
    EXPECT_NE(y.ptr()[r * 3 + 2], plain.ptr()[r * 3 + 2]);
  }
}

TEST(PniTest, EvalRunsThePlainLayerUnlessAtEval) {
  auto linear = make_linear(4, 3);
  const Tensor x = testing::random_uniform({2, 4}, -1.0f, 1.0f, 5);
  Pni layer(linear, "layer");
  layer.eval();
  EXPECT_EQ(layer(x).to_vector(), (*linear)(x).to_vector());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), (*linear)(x).to_vector());
  Pni noisy(linear, "layer", 0.25, /*at_eval=*/true);
  noisy.eval();
  EXPECT_NE(noisy(x).to_vector(), (*linear)(x).to_vector());
  Pni silent(linear, "layer", 0.0);
  EXPECT_EQ(silent(x).to_vector(), (*linear)(x).to_vector());
}

TEST(PniTest, SameOutputAtOneAndTwoThreads) {
  Pni layer(make_linear(300, 200), "channel");
  const Tensor x = testing::random_uniform({3, 300}, -1.0f, 1.0f, 12);
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = layer(x).to_vector();
  set_num_threads(2);
  const std::vector<float> two = layer(x).to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(PniTest, NoiseFollowsTheClock) {
  Pni layer(make_linear(8, 4), "layer");
  testing::expect_noise_follows_clock(layer, testing::random_uniform({2, 8}, -1.0f, 1.0f, 4));
}

TEST(PniTest, ReportsTheMeanAbsoluteScale) {
  Pni layer(make_linear(4, 3), "channel");
  testing::set_values(layer.a(), {0.1f, -0.2f, 0.6f});
  const auto report = layer.report();
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].first, "pni_a");
  EXPECT_NEAR(report[0].second, 0.3, 1e-7);
}

TEST(PniTest, BuildsFromJsonRoundTripsAndRefusesOtherLayers) {
  const nlohmann::json spec = {
      {"type", "pni"}, {"granularity", "channel"}, {"layer", {{"type", "linear"}, {"out", 5}}}};
  auto layer = testing::build_layer(spec, {7});
  const nlohmann::json full = layer->to_json();
  EXPECT_EQ(full["init"], 0.25);
  EXPECT_EQ(full["at_eval"], false);
  EXPECT_EQ(full["layer"]["in"], 7);
  const auto names = layer->named_parameters();
  ASSERT_EQ(names.size(), 3u);
  EXPECT_EQ(names[0].first, "a");
  EXPECT_EQ(names[1].first, "layer.weight");
  EXPECT_EQ(testing::build_layer(full, {7})->to_json(), full);
  const std::string relu = testing::config_error([] {
    testing::build_layer({{"type", "pni"}, {"layer", {{"type", "relu"}}}}, {7});
  });
  EXPECT_NE(relu.find("model.layers[0].layer"), std::string::npos) << relu;
  const std::string typo = testing::config_error([] {
    testing::build_layer(
        {{"type", "pni"}, {"granularity", "row"}, {"layer", {{"type", "linear"}, {"out", 2}}}},
        {3});
  });
  EXPECT_NE(typo.find("model.layers[0].granularity"), std::string::npos) << typo;
}

}  // namespace
}  // namespace dither
