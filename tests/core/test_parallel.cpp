#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

// Runs fn at 1 and at 2 threads and restores the budget.
template <class Fn>
auto at_one_and_two_threads(Fn fn) {
  const int saved = num_threads();
  set_num_threads(1);
  auto one = fn();
  set_num_threads(2);
  auto two = fn();
  set_num_threads(saved);
  return std::pair{one, two};
}

TEST(ParallelTest, ParallelForVisitsEveryIndexOnceInChunksOfAtMostTheGrain) {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(100'000);
  std::atomic<std::int64_t> largest{0};
  parallel_for(
      static_cast<std::int64_t>(hits.size()),
      [&](std::int64_t b, std::int64_t e) {
        std::int64_t seen = largest.load();
        while (e - b > seen && !largest.compare_exchange_weak(seen, e - b)) {
        }
        for (std::int64_t i = b; i < e; ++i) ++hits[static_cast<std::size_t>(i)];
      },
      1000);
  for (const auto& h : hits) ASSERT_EQ(h.load(), 1);
  EXPECT_LE(largest.load(), 1000);
}

TEST(ParallelTest, ParallelSumIsBitwiseTheSameAtOneAndTwoThreads) {
  std::vector<float> v(1'000'003);
  RandomStream(1, "parallel-sum").fill_normal(v, 0.0f, 1.0f);
  const auto [one, two] = at_one_and_two_threads([&] {
    return parallel_sum(static_cast<std::int64_t>(v.size()), [&](std::int64_t b, std::int64_t e) {
      double acc = 0.0;
      for (std::int64_t i = b; i < e; ++i) acc += v[static_cast<std::size_t>(i)];
      return acc;
    });
  });
  EXPECT_EQ(one, two);
}

TEST(ParallelTest, ElementwiseAndReductionOpsAreTheSameAtOneAndTwoThreads) {
  const Tensor a = Tensor::randn({300, 1001}, RandomStream(2, "a"));
  const Tensor b = Tensor::randn({1001}, RandomStream(3, "b"));
  const auto [one, two] = at_one_and_two_threads([&] {
    std::vector<std::vector<float>> results;
    for (const Tensor& t : {add(a, b), mul(a, 0.5f), relu(a), exp(a), softmax(a), sum(a, {0}),
                            sum(a, {1}), sum_to(a, {1001}), logsumexp(a, 0), var(a, {1})}) {
      results.push_back(t.to_vector());
    }
    results.push_back({sum(a).item()});
    return results;
  });
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i], two[i]) << "result " << i;
}

TEST(ParallelTest, GradientsAreTheSameAtOneAndTwoThreads) {
  const Tensor x0 = Tensor::randn({256, 300}, RandomStream(4, "x"));
  const Tensor w0 = Tensor::randn({200, 300}, RandomStream(5, "w"));
  const auto [one, two] = at_one_and_two_threads([&] {
    Tensor x = x0.clone().set_requires_grad(true);
    Tensor w = w0.clone().set_requires_grad(true);
    sum(log_softmax(relu(linear(x, w, Tensor())))).backward();
    return std::pair{x.grad().to_vector(), w.grad().to_vector()};
  });
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.second, two.second);
}

TEST(ParallelTest, ThreadBudgetRejectsZero) { EXPECT_THROW(set_num_threads(0), Error); }

TEST(ParallelTest, ThreadShareCapsTheBudgetOnItsThreadAndNests) {
  const int saved = num_threads();
  set_num_threads(4);
  {
    const ThreadShare two(2);
    EXPECT_EQ(num_threads(), 2);
    {
      const ThreadShare more(3);  // a share never widens the one around it
      EXPECT_EQ(num_threads(), 2);
      const SerialScope serial;
      EXPECT_EQ(num_threads(), 1);
    }
    EXPECT_EQ(num_threads(), 2);
  }
  EXPECT_EQ(num_threads(), 4);
  EXPECT_THROW(ThreadShare(0), Error);
  set_num_threads(saved);
}

TEST(ParallelTest, SideBySideRunsEachPartOnceOnItsShareOfTheBudget) {
  const int saved = num_threads();
  for (const int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    std::atomic<int> first_runs{0}, second_runs{0}, first_share{0}, second_share{0};
    side_by_side(
        [&] {
          ++first_runs;
          first_share = num_threads();
        },
        [&] {
          ++second_runs;
          second_share = num_threads();
        });
    EXPECT_EQ(first_runs.load(), 1) << threads << " threads";
    EXPECT_EQ(second_runs.load(), 1) << threads << " threads";
    EXPECT_EQ(first_share.load(), std::max(1, threads / 2)) << threads << " threads";
    EXPECT_EQ(second_share.load(), threads == 1 ? 1 : threads - threads / 2)
        << threads << " threads";
    EXPECT_EQ(num_threads(), threads);
  }
  set_num_threads(saved);
}

TEST(ParallelTest, MatmulGradientsAreTheSameAtOneAndTwoThreads) {
  const Tensor a0 = Tensor::randn({2, 128, 256}, RandomStream(6, "a"));
  const Tensor b0 = Tensor::randn({256, 192}, RandomStream(7, "b"));
  const auto [one, two] = at_one_and_two_threads([&] {
    Tensor a = a0.clone().set_requires_grad(true);
    Tensor b = b0.clone().set_requires_grad(true);
    sum(tanh(matmul(a, b))).backward();
    return std::pair{a.grad().to_vector(), b.grad().to_vector()};
  });
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.second, two.second);
}

}  // namespace
}  // namespace dither
