#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "layer_testing.h"
#include "layers/concrete_dropout.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::make_linear;

Tensor logit_of(double p) { return Tensor::full({1}, static_cast<float>(std::log(p / (1 - p)))); }

// z < 1/2 exactly when logit + L > 0 for logistic L, which has probability sigmoid(logit) = p:
// the relaxed mask drops at the rate p whatever the temperature.
TEST(ConcreteDropoutTest, MaskDropsAtRateP) {
  const std::int64_t n = 40000;
  const Tensor x = Tensor::ones({n});
  for (double p : {0.1, 0.5}) {
    const Tensor y =
        concrete_dropout(x, logit_of(p), logistic_noise({n}, RandomStream(4, "cd")), 0.1);
    std::int64_t dropped = 0;
    for (std::int64_t i = 0; i < n; ++i) dropped += y.ptr()[i] * (1.0 - p) < 0.5;
    EXPECT_NEAR(static_cast<double>(dropped) / n, p, 4.0 * std::sqrt(p * (1 - p) / n)) << p;
  }
}

TEST(ConcreteDropoutTest, GradientsMatchFiniteDifferencesAtFixedNoise) {
  const Tensor x = testing::random_uniform({2, 3}, -1.0f, 1.0f, 1);
  const Tensor noise = logistic_noise({2, 3}, RandomStream(5, "cd"));
  EXPECT_TRUE(
      testing::gradcheck([&](const auto& in) { return concrete_dropout(in[0], in[1], noise, 0.5); },
                         {x, logit_of(0.3)}));
  // At the default temperature 0.1 the mask is steep in the logit: a smaller step.
  testing::GradCheckOptions fine;
  fine.step = 1e-3;
  fine.tolerance = 5e-3;
  EXPECT_TRUE(
      testing::gradcheck([&](const auto& in) { return concrete_dropout(in[0], in[1], noise, 0.1); },
                         {x, logit_of(0.3)}, fine));
}

TEST(ConcreteDropoutTest, LayerGradientsMatchFiniteDifferences) {
  ConcreteDropoutOptions options;
  options.temperature = 0.5;
  ConcreteDropout layer(make_linear(3, 2), 3, options);
  layer.set_noise_clock(NoiseClock{2, 3, 0});
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({2, 3}, -1.0f, 1.0f, 2)));
}

TEST(ConcreteDropoutTest, RegularizerMatchesTheFormula) {
  const double p = 0.2;
  const Tensor value =
      concrete_dropout_regularizer(logit_of(p), Tensor::scalar(3.0f), 4, 0.1, 0.01);
  const double expected =
      0.1 * 3.0 / (1 - p) + 0.01 * 4 * (p * std::log(p) + (1 - p) * std::log(1 - p));
  EXPECT_NEAR(value.item(), expected, 1e-6);
  EXPECT_TRUE(testing::gradcheck(
      [](const auto& in) { return concrete_dropout_regularizer(in[0], in[1], 4, 0.1, 0.01); },
      {logit_of(0.3), Tensor::scalar(2.0f)}));
}

TEST(ConcreteDropoutTest, RegularizationSumsTheWrappedLayersSquares) {
  auto linear = make_linear(3, 2);
  ConcreteDropoutOptions options;
  options.init_p = 0.25;
  options.weight_regularizer = 0.5;
  options.dropout_regularizer = 0.0;
  auto layer = std::make_shared<ConcreteDropout>(linear, 3, options);
  Sequential model({layer});
  double squares = 0.0;
  for (const Tensor& w : linear->parameters())
    for (float v : w.to_vector()) squares += static_cast<double>(v) * v;
  const Tensor total = total_regularization(model);
  ASSERT_TRUE(total.defined());
  EXPECT_NEAR(total.item(), 0.5 * squares / 0.75, 1e-5);
  EXPECT_FALSE(total_regularization(*linear).defined());
}

TEST(ConcreteDropoutTest, EvalRunsThePlainLayerAndMcKeepsTheMask) {
  auto linear = make_linear(4, 3);
  ConcreteDropout layer(linear, 4);
  const Tensor x = testing::random_uniform({2, 4}, -1.0f, 1.0f, 3);
  layer.eval();
  EXPECT_EQ(layer(x).to_vector(), (*linear)(x).to_vector());
  layer.set_mc_sampling(true);
  EXPECT_NE(layer(x).to_vector(), (*linear)(x).to_vector());
  layer.set_mc_sampling(false);
  layer.train();
  testing::expect_noise_follows_clock(layer, x);
}

TEST(ConcreteDropoutTest, SameOutputAtOneAndTwoThreadsAndBatchOfOne) {
  ConcreteDropout layer(make_linear(500, 20), 500);
  const Tensor x = testing::random_uniform({4, 500}, -1.0f, 1.0f, 13);
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = layer(x).to_vector();
  set_num_threads(2);
  const std::vector<float> two = layer(x).to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_EQ(layer(testing::random_uniform({1, 500}, -1.0f, 1.0f, 14)).shape(), (Shape{1, 20}));
}

TEST(ConcreteDropoutTest, ReportsItsRate) {
  ConcreteDropoutOptions options;
  options.init_p = 0.3;
  ConcreteDropout layer(make_linear(2, 2), 2, options);
  EXPECT_NEAR(layer.p(), 0.3, 1e-6);
  ASSERT_EQ(layer.report().size(), 1u);
  EXPECT_EQ(layer.report()[0].first, "concrete_p");
  EXPECT_NEAR(layer.report()[0].second, 0.3, 1e-6);
}

TEST(ConcreteDropoutTest, BuildsFromJsonRoundTripsAndRefusesBadOptions) {
  const nlohmann::json spec = {{"type", "concrete_dropout"},
                               {"layer", {{"type", "linear"}, {"out", 5}}}};
  auto layer = testing::build_layer(spec, {7});
  const nlohmann::json full = layer->to_json();
  EXPECT_EQ(full["init_p"], 0.1);
  EXPECT_EQ(full["temperature"], 0.1);
  EXPECT_EQ(full["weight_regularizer"], 1e-6);
  EXPECT_EQ(full["dropout_regularizer"], 1e-5);
  EXPECT_EQ(testing::build_layer(full, {7})->to_json(), full);
  EXPECT_EQ(layer->named_parameters()[0].first, "logit");
  nlohmann::json bad = spec;
  bad["init_p"] = 1.0;
  const std::string message = testing::config_error([&] { testing::build_layer(bad, {7}); });
  EXPECT_NE(message.find("model.layers[0].init_p"), std::string::npos) << message;
}

}  // namespace
}  // namespace dither
