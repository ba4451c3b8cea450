#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "layer_testing.h"
#include "layers/activations.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;

struct ActivationCase {
  nlohmann::json spec;                // minimal JSON
  nlohmann::json full;                // to_json(): every default filled in
  std::function<double(double)> ref;  // the formula, element by element
  double kink_range = -1.0;           // > step where the derivative jumps at 0
};

double sigmoid_ref(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double elu_ref(double x, double alpha) { return x > 0 ? x : alpha * (std::exp(x) - 1.0); }

std::vector<ActivationCase> cases() {
  const double selu_scale = 1.0507009873554804934193349852946;
  const double selu_alpha = 1.6732632423543772848170429916717;
  return {
      {{{"type", "relu"}}, {{"type", "relu"}}, [](double x) { return std::max(x, 0.0); }, 0.02},
      {{{"type", "leaky_relu"}},
       {{"type", "leaky_relu"}, {"slope", 0.01}},
       [](double x) { return x > 0 ? x : 0.01 * x; },
       0.02},
      {{{"type", "leaky_relu"}, {"slope", 0.2}},
       {{"type", "leaky_relu"}, {"slope", 0.2}},
       [](double x) { return x > 0 ? x : 0.2 * x; },
       0.02},
      {{{"type", "gelu"}},
       {{"type", "gelu"}},
       [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }},
      {{{"type", "tanh"}}, {{"type", "tanh"}}, [](double x) { return std::tanh(x); }},
      {{{"type", "sigmoid"}}, {{"type", "sigmoid"}}, sigmoid_ref},
      {{{"type", "elu"}},
       {{"type", "elu"}, {"alpha", 1.0}},
       [](double x) { return elu_ref(x, 1.0); },
       0.02},
      {{{"type", "elu"}, {"alpha", 0.5}},
       {{"type", "elu"}, {"alpha", 0.5}},
       [](double x) { return elu_ref(x, 0.5); },
       0.02},
      {{{"type", "selu"}},
       {{"type", "selu"}},
       [=](double x) { return selu_scale * elu_ref(x, selu_alpha); },
       0.02},
  };
}

class ActivationTest : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(ActivationTest, ForwardMatchesTheFormula) {
  const ActivationCase& c = GetParam();
  auto layer = build_layer(c.spec, {5});
  const Tensor x =
      Tensor::from({-3.0f, -0.5f, 0.0f, 0.7f, 2.5f, -1.0f, 1.0f, 4.0f, -6.0f, 0.1f}, {2, 5});
  const Tensor y = (*layer)(x);
  ASSERT_EQ(y.shape(), x.shape());
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    EXPECT_NEAR(y.data()[i], c.ref(x.data()[i]), 1e-5) << "x = " << x.data()[i];
  }
}

TEST_P(ActivationTest, GradientMatchesFiniteDifferences) {
  const ActivationCase& c = GetParam();
  auto layer = build_layer(c.spec, {4});
  testing::GradCheckOptions options;
  options.kink_range = c.kink_range;
  EXPECT_TRUE(
      testing::layer_gradcheck(*layer, testing::random_uniform({3, 4}, -2, 2, 21), options));
}

TEST_P(ActivationTest, SameInTrainAndEval) {
  auto layer = build_layer(GetParam().spec, {4});
  const Tensor x = testing::random_uniform({3, 4}, -2, 2, 22);
  const std::vector<float> train = (*layer)(x).to_vector();
  layer->eval();
  EXPECT_EQ((*layer)(x).to_vector(), train);
  EXPECT_TRUE(layer->parameters().empty());
}

TEST_P(ActivationTest, JsonFillsDefaultsAndRoundTrips) {
  const ActivationCase& c = GetParam();
  auto layer = build_layer(c.spec, {4});
  EXPECT_EQ(layer->to_json(), c.full);
  EXPECT_EQ(build_layer(c.full, {4})->to_json(), c.full);
}

TEST_P(ActivationTest, UnknownKeyIsAnError) {
  nlohmann::json spec = GetParam().spec;
  spec["sloap"] = 1;
  const std::string message = config_error([&] { build_layer(spec, {4}); });
  EXPECT_EQ(message.rfind("model.layers[0].sloap: unknown key", 0), 0u) << message;
}

INSTANTIATE_TEST_SUITE_P(Layers, ActivationTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<ActivationCase>& info) {
                           return info.param.spec["type"].get<std::string>() +
                                  std::to_string(info.index);
                         });

TEST(SoftmaxTest, RowsSumToOneAlongTheAxis) {
  Softmax softmax;
  const Tensor y = softmax(Tensor::from({1, 2, 3, 0, 0, 0}, {2, 3}));
  const double e = std::exp(1.0);
  const double z = 1 + e + e * e;
  EXPECT_NEAR(y.data()[0], 1 / z, 1e-6);
  EXPECT_NEAR(y.data()[2], e * e / z, 1e-6);
  EXPECT_NEAR(y.data()[4], 1.0 / 3.0, 1e-6);
  Softmax over_rows(0);
  const Tensor columns = over_rows(Tensor::from({1, 5, 1, 5}, {2, 2}));
  EXPECT_NEAR(columns.data()[0], 0.5, 1e-6);
  EXPECT_NEAR(columns.data()[3], 0.5, 1e-6);
}

TEST(SoftmaxTest, GradientMatchesFiniteDifferences) {
  Softmax softmax(1);
  EXPECT_TRUE(testing::layer_gradcheck(softmax, testing::random_uniform({2, 3, 2}, -2, 2, 23)));
}

TEST(SoftmaxTest, JsonAxisCountsTheBatchAxis) {
  EXPECT_EQ(build_layer({{"type", "softmax"}}, {3})->to_json(),
            (nlohmann::json{{"type", "softmax"}, {"axis", -1}}));
  EXPECT_EQ(build_layer({{"type", "softmax"}, {"axis", 2}}, {3, 4})->to_json()["axis"], 2);
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "softmax"}, {"axis", 2}}, {3});
            }),
            "model.layers[0].axis: must be an integer in [-2, 1], got 2");
}

TEST(ActivationOptionsTest, NegativeParametersAreRejectedWithThePath) {
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "leaky_relu"}, {"slope", -1}}, {3});
            }),
            "model.layers[0].slope: must be a number >= 0, got -1");
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "elu"}, {"alpha", "big"}}, {3});
            }),
            "model.layers[0].alpha: must be a number >= 0, got \"big\"");
}

}  // namespace
}  // namespace dither
