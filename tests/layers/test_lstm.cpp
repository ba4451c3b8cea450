#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "core/ops/shape_ops.h"
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

// x [1, T, F] padded with `extra` steps of garbage (which a masked LSTM must never read).
Tensor pad_with_garbage(const Tensor& x, std::int64_t extra, std::uint64_t seed) {
  const Tensor garbage = testing::random_uniform({x.size(0), extra, x.size(2)}, -5, 5, seed);
  return concat({x, garbage}, 1);
}

TEST(LSTMTest, PaddedSequenceGivesTheUnpaddedOutputAndInputGradient) {
  manual_seed(6);
  LSTM layer(LSTMOptions{.in = 2, .hidden = 3});
  Tensor short_x = testing::random_uniform({1, 3, 2}, -1, 1, 35).set_requires_grad(true);
  Tensor padded = pad_with_garbage(short_x.detach(), 4, 36).set_requires_grad(true);
  const Tensor direct = layer(short_x);
  sum(mul(direct, Tensor::from({1, -2, 3}, {1, 3}))).backward();
  Tensor masked;
  {
    const SequenceLengthsGuard lengths(layer, Tensor::from({3}, {1}));
    masked = layer(padded);
  }
  sum(mul(masked, Tensor::from({1, -2, 3}, {1, 3}))).backward();
  EXPECT_FALSE(layer.sequence_lengths().defined());  // the guard put back "every step"
  const auto a = direct.to_vector(), b = masked.to_vector();
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6) << i;
  const auto ga = short_x.grad().to_vector(), gb = padded.grad().to_vector();
  for (std::size_t i = 0; i < ga.size(); ++i) EXPECT_NEAR(ga[i], gb[i], 1e-6) << i;
  for (std::size_t i = ga.size(); i < gb.size(); ++i) EXPECT_EQ(gb[i], 0.0f) << i;
  // Without the lengths the padding is read, and the output moves: the comparison can fail.
  EXPECT_GT(std::abs(layer(padded).to_vector()[0] - a[0]), 1e-3);
}

TEST(LSTMTest, EachSampleOfAMixedBatchStopsAtItsOwnLength) {
  manual_seed(7);
  LSTM layer(LSTMOptions{.in = 2, .hidden = 3, .return_sequences = true});
  const Tensor x = testing::random_uniform({3, 5, 2}, -1, 1, 37);
  Tensor all;
  {
    const SequenceLengthsGuard lengths(layer, Tensor::from({5, 2, 0}, {3}));
    all = layer(x);
  }
  ASSERT_EQ(all.shape(), (Shape{3, 5, 3}));
  for (std::int64_t s = 0; s < 2; ++s) {
    const std::int64_t length = s == 0 ? 5 : 2;
    const auto alone = reference_lstm(layer, narrow(narrow(x, 0, s, 1), 1, 0, length), true);
    for (std::int64_t t = 0; t < 5; ++t) {
      for (std::int64_t j = 0; j < 3; ++j) {
        const float got = all.data()[(s * 5 + t) * 3 + j];
        if (t < length) {
          EXPECT_NEAR(got, alone[static_cast<std::size_t>(t * 3 + j)], 1e-5) << s << " " << t;
        } else {
          EXPECT_EQ(got, 0.0f) << "padded step " << t << " of sample " << s;
        }
      }
    }
  }
  for (std::int64_t k = 0; k < 15; ++k) EXPECT_EQ(all.data()[30 + k], 0.0f);  // length 0
  LSTM last(LSTMOptions{.in = 2, .hidden = 3});
  const SequenceLengthsGuard lengths(last, Tensor::from({4, 0}, {2}));
  const Tensor h = last(narrow(x, 0, 0, 2));
  for (std::int64_t j = 0; j < 3; ++j) EXPECT_EQ(h.data()[3 + j], 0.0f);  // the initial state
}

TEST(LSTMTest, MaskedGradientMatchesFiniteDifferences) {
  manual_seed(8);
  for (const bool sequences : {false, true}) {
    LSTM layer(LSTMOptions{.in = 2, .hidden = 2, .return_sequences = sequences});
    const SequenceLengthsGuard lengths(layer, Tensor::from({4, 2, 1}, {3}));
    EXPECT_TRUE(testing::layer_gradcheck(layer, testing::random_uniform({3, 4, 2}, -1, 1, 38)))
        << "return_sequences " << sequences;
  }
}

TEST(LSTMTest, LengthsThatDoNotFitAreAShapeError) {
  LSTM layer(LSTMOptions{.in = 1, .hidden = 2});
  const Tensor x = Tensor::zeros({2, 3, 1});
  for (const Tensor& bad :
       {Tensor::from({1}, {1}), Tensor::from({1, 4}, {2}), Tensor::from({1, 1.5f}, {2})}) {
    const SequenceLengthsGuard lengths(layer, bad);
    EXPECT_THROW(layer(x), ShapeError);
  }
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
