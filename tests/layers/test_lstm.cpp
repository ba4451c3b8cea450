#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/lstm.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// A plain scalar LSTM in double precision: the reference the layer must match.
std::vector<double> reference_lstm(const LSTM& layer, const Tensor& x, bool all_steps) {
  const auto params = layer.named_parameters();
  const auto w_ih = params[0].second.to_vector();
  const auto w_hh = params[1].second.to_vector();
  const auto b_ih = params[2].second.to_vector();
  const auto b_hh = params[3].second.to_vector();
  const std::int64_t n = x.size(0), steps = x.size(1), f = x.size(2);
  const std::int64_t h = layer.options().hidden;
  std::vector<double> out;
  for (std::int64_t s = 0; s < n; ++s) {
    std::vector<double> hs(h, 0.0), cs(h, 0.0);
    for (std::int64_t t = 0; t < steps; ++t) {
      std::vector<double> gates(4 * h);
      for (std::int64_t g = 0; g < 4 * h; ++g) {
        double v = b_ih[g] + b_hh[g];
        for (std::int64_t k = 0; k < f; ++k)
          v += w_ih[g * f + k] * x.data()[(s * steps + t) * f + k];
        for (std::int64_t k = 0; k < h; ++k) v += w_hh[g * h + k] * hs[k];
        gates[g] = v;
      }
      for (std::int64_t j = 0; j < h; ++j) {
        cs[j] = sigmoid(gates[h + j]) * cs[j] + sigmoid(gates[j]) * std::tanh(gates[2 * h + j]);
        hs[j] = sigmoid(gates[3 * h + j]) * std::tanh(cs[j]);
      }
      if (all_steps || t == steps - 1) out.insert(out.end(), hs.begin(), hs.end());
    }
  }
  return out;
}

TEST(LSTMTest, OneStepOneUnitByHand) {
  LSTM layer(LSTMOptions{.in = 1, .hidden = 1});
  for (const Tensor& p : layer.parameters())
    testing::set_values(p, std::vector<float>(p.numel(), 0.5f));
  // gates = 0.5 x + 0.5 + 0.5 (h = 0) = 2 for x = 2; c = σ(2) tanh(2); h = σ(2) tanh(c).
  const double c = sigmoid(2.0) * std::tanh(2.0);
  EXPECT_NEAR(layer(Tensor::from({2.0f}, {1, 1, 1})).item(), sigmoid(2.0) * std::tanh(c), 1e-6);
}

TEST(LSTMTest, MatchesAScalarReference) {
  manual_seed(1);
  LSTM layer(LSTMOptions{.in = 3, .hidden = 4});
  const Tensor x = testing::random_uniform({2, 5, 3}, -1, 1, 31);
  const Tensor last = layer(x);
  EXPECT_EQ(last.shape(), (Shape{2, 4}));
  const auto expected = reference_lstm(layer, x, false);
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(last.data()[i], expected[i], 1e-5);
}

TEST(LSTMTest, ReturnSequencesGivesEveryStep) {
  manual_seed(2);
  LSTM layer(LSTMOptions{.in = 2, .hidden = 3, .return_sequences = true});
  const Tensor x = testing::random_uniform({2, 4, 2}, -1, 1, 32);
  const Tensor all = layer(x);
  EXPECT_EQ(all.shape(), (Shape{2, 4, 3}));
  const auto expected = reference_lstm(layer, x, true);
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(all.data()[i], expected[i], 1e-5);
}

TEST(LSTMTest, GradientMatchesFiniteDifferences) {
  manual_seed(3);
  LSTM layer(LSTMOptions{.in = 2, .hidden = 2, .return_sequences = true});
  EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({2, 3, 2}, -1, 1, 33)));
}

TEST(LSTMTest, ParametersFollowPyTorchNamesAndInit) {
  manual_seed(4);
  LSTM layer(LSTMOptions{.in = 3, .hidden = 16});
  const auto params = layer.named_parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].first, "weight_ih");
  EXPECT_EQ(params[0].second.shape(), (Shape{64, 3}));
  EXPECT_EQ(params[1].first, "weight_hh");
  EXPECT_EQ(params[1].second.shape(), (Shape{64, 16}));
  EXPECT_EQ(params[2].first, "bias_ih");
  EXPECT_EQ(params[3].first, "bias_hh");
  for (const auto& [name, p] : params) {
    for (float v : p.data()) EXPECT_LE(std::abs(v), 0.25f) << name;
  }
}

TEST(LSTMTest, SameInTrainAndEval) {
  manual_seed(5);
  LSTM layer(LSTMOptions{.in = 2, .hidden = 3});
  const Tensor x = testing::random_uniform({2, 3, 2}, -1, 1, 34);
  const std::vector<float> train = layer(x).to_vector();
  layer.eval();
  EXPECT_EQ(layer(x).to_vector(), train);
}

TEST(LSTMTest, WrongInputShapeIsAShapeError) {
  LSTM layer(LSTMOptions{.in = 3, .hidden = 2});
  EXPECT_THROW(layer(Tensor::zeros({2, 3})), ShapeError);
  EXPECT_THROW(layer(Tensor::zeros({2, 4, 2})), ShapeError);
  EXPECT_THROW(layer(Tensor::zeros({2, 0, 3})), ShapeError);
}

TEST(LSTMTest, FlopsCountBothGateProducts) {
  LSTM layer(LSTMOptions{.in = 3, .hidden = 2});
  EXPECT_EQ(layer.flops({5, 3}), 5 * 8 * (3 + 2));
}

TEST(LSTMTest, JsonInfersInAndRoundTrips) {
  auto layer = build_layer({{"type", "lstm"}, {"hidden", 8}}, {10, 3});
  const nlohmann::json full = {
      {"type", "lstm"}, {"in", 3}, {"hidden", 8}, {"return_sequences", false}};
  EXPECT_EQ(layer->to_json(), full);
  EXPECT_EQ(build_layer(full, {10, 3})->to_json(), full);
  EXPECT_EQ(infer_output_shape(*layer, {10, 3}), (Shape{8}));
  auto sequences =
      build_layer({{"type", "lstm"}, {"hidden", 8}, {"return_sequences", true}}, {10, 3});
  EXPECT_EQ(infer_output_shape(*sequences, {10, 3}), (Shape{10, 8}));
}

TEST(LSTMTest, JsonNeedsASequenceInput) {
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "lstm"}, {"hidden", 8}}, {12});
            }),
            "model.layers[0]: lstm needs a per-sample input [T, F], got [12]");
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "lstm"}}, {4, 2});
            }),
            "model.layers[0].hidden: is required");
}

}  // namespace
}  // namespace dither
