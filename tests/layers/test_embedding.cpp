#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/reduce.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/embedding.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::set_values;

TEST(EmbeddingTest, ForwardPicksTheRowsOfTheIds) {
  Embedding layer(EmbeddingOptions{.num_embeddings = 3, .dim = 2});
  set_values(layer.weight(), {0, 1, 10, 11, 20, 21});
  const Tensor y = layer(Tensor::from({2, 0, 1, 2}, {2, 2}));
  EXPECT_EQ(y.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{20, 21, 0, 1, 10, 11, 20, 21}));
}

TEST(EmbeddingTest, GradientMatchesFiniteDifferences) {
  manual_seed(1);
  Embedding layer(EmbeddingOptions{.num_embeddings = 5, .dim = 3});
  testing::GradCheckOptions weight_only;
  weight_only.check_inputs = {false, true};  // ids are data, not differentiable
  EXPECT_TRUE(
      testing::layer_gradcheck(layer, Tensor::from({4, 1, 1, 0, 3, 1}, {2, 3}), weight_only));
}

TEST(EmbeddingTest, SameInTrainAndEval) {
  manual_seed(3);
  Embedding layer(EmbeddingOptions{.num_embeddings = 4, .dim = 3});
  const Tensor ids = Tensor::from({3, 0, 2}, {1, 3});
  const std::vector<float> train = layer(ids).to_vector();
  layer.eval();
  EXPECT_EQ(layer(ids).to_vector(), train);
}

TEST(EmbeddingTest, RepeatedIdsAddTheirGradients) {
  Embedding layer(EmbeddingOptions{.num_embeddings = 3, .dim = 2});
  sum(layer(Tensor::from({1, 1, 1, 2}, {1, 4}))).backward();
  EXPECT_EQ(layer.weight().grad().to_vector(), (std::vector<float>{0, 0, 3, 3, 1, 1}));
}

TEST(EmbeddingTest, IdOutOfRangeIsAnError) {
  Embedding layer(EmbeddingOptions{.num_embeddings = 3, .dim = 2});
  EXPECT_THROW(layer(Tensor::from({3}, {1, 1})), Error);
  EXPECT_THROW(layer(Tensor::from({-1}, {1, 1})), Error);
  EXPECT_THROW(Embedding(EmbeddingOptions{.num_embeddings = 0, .dim = 2}), Error);
}

TEST(EmbeddingTest, TableStartsStandardNormal) {
  manual_seed(2);
  Embedding layer(EmbeddingOptions{.num_embeddings = 1000, .dim = 64});
  double total = 0.0;
  double squares = 0.0;
  for (float v : layer.weight().data()) {
    total += v;
    squares += static_cast<double>(v) * v;
  }
  const double n = 64000.0;
  EXPECT_NEAR(total / n, 0.0, 0.02);
  EXPECT_NEAR(std::sqrt(squares / n), 1.0, 0.02);
}

TEST(EmbeddingTest, JsonRoundTripsAndNamesMissingKeys) {
  auto layer = build_layer({{"type", "embedding"}, {"num_embeddings", 100}, {"dim", 8}}, {12});
  const nlohmann::json full = {{"type", "embedding"}, {"num_embeddings", 100}, {"dim", 8}};
  EXPECT_EQ(layer->to_json(), full);
  EXPECT_EQ(build_layer(full, {12})->to_json(), full);
  EXPECT_EQ(infer_output_shape(*layer, {12}), (Shape{12, 8}));
  EXPECT_EQ(config_error([] {
              build_layer({{"type", "embedding"}, {"num_embeddings", 5}}, {4});
            }),
            "model.layers[0].dim: is required");
  const std::string typo = config_error([] {
    build_layer({{"type", "embedding"}, {"num_embedding", 5}, {"dim", 2}}, {4});
  });
  EXPECT_EQ(typo.rfind("model.layers[0].num_embedding: unknown key (did you mean "
                       "'num_embeddings'?)",
                       0),
            0u)
      << typo;
}

}  // namespace
}  // namespace dither
