#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"
#include "expect_tensor.h"

namespace dither {
namespace {

using testing::tensor_is;
using testing::throws_with;

Tensor iota(Shape shape) {
  return reshape(Tensor::arange(0, static_cast<float>(numel(shape))), shape);
}

TEST(IndexTest, IndexSelectPicksAlongAnyAxis) {
  const Tensor x = iota({3, 2});
  EXPECT_TRUE(
      tensor_is(index_select(x, 0, Tensor::from({2, 0, 2}, {3})), {3, 2}, {4, 5, 0, 1, 4, 5}));
  EXPECT_TRUE(tensor_is(index_select(x, 1, Tensor::from({1}, {1})), {3, 1}, {1, 3, 5}));
  EXPECT_TRUE(tensor_is(index_select(x, 0, Tensor::zeros({0})), {0, 2}, {}));
}

TEST(IndexTest, IndexSelectBackwardAddsRepeatedIndices) {
  Tensor x = iota({3, 2}).clone().set_requires_grad(true);
  sum(index_select(x, 0, Tensor::from({2, 0, 2}, {3}))).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {3, 2}, {1, 1, 0, 0, 2, 2}));
}

TEST(IndexTest, BadIndicesNameTheValueAndTheRange) {
  const Tensor x = iota({3, 2});
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        index_select(x, 0, Tensor::from({1, 3}, {2}));
      },
      {"index_select", "index 3", "[0, 3)", "[3,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { index_select(x, 1, Tensor::from({-1}, {1})); },
                                      {"index_select", "index -1", "[0, 2)"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { index_select(x, 0, Tensor::from({0.5f}, {1})); },
                                      {"index_select", "0.5", "integer"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        index_select(x, 0, Tensor::zeros({1, 1}));
      },
      {"index_select", "1-D", "[1,1]"}));
}

TEST(IndexTest, GatherFollowsTorchSemantics) {
  const Tensor x = iota({2, 3});
  // out[i][j] = x[i][index[i][j]]
  EXPECT_TRUE(tensor_is(gather(x, 1, Tensor::from({2, 0, 1, 1}, {2, 2})), {2, 2}, {2, 0, 4, 4}));
  // out[i][j] = x[index[i][j]][j]
  EXPECT_TRUE(tensor_is(gather(x, 0, Tensor::from({1, 0, 1}, {1, 3})), {1, 3}, {3, 1, 5}));
}

TEST(IndexTest, GatherBackwardScatterAdds) {
  Tensor x = iota({2, 3}).clone().set_requires_grad(true);
  sum(gather(x, 1, Tensor::from({2, 2, 1, 0}, {2, 2}))).backward();
  EXPECT_TRUE(tensor_is(x.grad(), {2, 3}, {0, 0, 2, 1, 1, 0}));
}

TEST(IndexTest, GatherChecksRanksSizesAndValues) {
  const Tensor x = iota({2, 3});
  EXPECT_TRUE(throws_with<ShapeError>([&] { gather(x, 1, Tensor::zeros({2})); },
                                      {"gather", "rank", "[2,3]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gather(x, 1, Tensor::zeros({3, 1}));
      },
      {"gather", "[3,1]", "[2,3]"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        gather(x, 1, Tensor::full({2, 1}, 3));
      },
      {"gather", "index 3", "[0, 3)"}));
}

TEST(IndexTest, OneHotMarksEachIndex) {
  EXPECT_TRUE(tensor_is(one_hot(Tensor::from({2, 0}, {2}), 3), {2, 3}, {0, 0, 1, 1, 0, 0}));
  EXPECT_TRUE(throws_with<ShapeError>([] { one_hot(Tensor::from({3}, {1}), 3); },
                                      {"one_hot", "index 3", "[0, 3)"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { one_hot(Tensor::from({0}, {1}), 0); },
                                      {"one_hot", "num_classes"}));
}

TEST(IndexTest, EmbeddingLooksUpRowsForAnyIndexShape) {
  const Tensor w = iota({4, 2});
  EXPECT_TRUE(tensor_is(embedding(w, Tensor::from({3, 0, 3, 1}, {2, 2})), {2, 2, 2},
                        {6, 7, 0, 1, 6, 7, 2, 3}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { embedding(w, Tensor::from({4}, {1})); },
                                      {"embedding", "index 4", "[0, 4)", "[4,2]"}));
  EXPECT_TRUE(throws_with<ShapeError>([] { embedding(Tensor::zeros({4}), Tensor::zeros({1})); },
                                      {"embedding", "[4]"}));
}

TEST(IndexTest, EmbeddingBackwardIsTheSameAtOneAndTwoThreads) {
  // Enough rows to be split across threads, and repeats that each row sums in a fixed order.
  const Tensor ids = Tensor::rand({4096}, RandomStream(3, "ids"), 0.0f, 1000.0f);
  std::vector<float> floored(4096);
  for (std::size_t i = 0; i < floored.size(); ++i) floored[i] = std::floor(ids.data()[i]);
  const Tensor idx = Tensor::from(floored, {64, 64});
  const Tensor weights = Tensor::randn({64, 64, 33}, RandomStream(4, "weights"));
  auto weight_grad = [&](int threads) {
    set_num_threads(threads);
    Tensor w = Tensor::randn({1000, 33}, RandomStream(5, "table")).set_requires_grad(true);
    sum(mul(embedding(w, idx), weights)).backward();
    return w.grad().to_vector();
  };
  const auto one = weight_grad(1);
  const auto two = weight_grad(2);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace dither
