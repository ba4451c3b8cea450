#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/blas.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

struct GemmCase {
  bool trans_a;
  bool trans_b;
  std::int64_t m, n, k;
};

std::vector<float> random_values(std::int64_t count, std::uint64_t seed) {
  std::vector<float> v(static_cast<std::size_t>(count));
  RandomStream(seed, "blas-test").fill_uniform(v, -1.0f, 1.0f);
  return v;
}

// C = alpha op(A) op(B) + beta C in double, with the same storage conventions as gemm.
std::vector<double> naive_gemm(const GemmCase& c, float alpha, const std::vector<float>& a,
                               std::int64_t lda, const std::vector<float>& b, std::int64_t ldb,
                               float beta, const std::vector<float>& c0, std::int64_t ldc) {
  std::vector<double> out(c0.begin(), c0.end());
  for (std::int64_t i = 0; i < c.m; ++i) {
    for (std::int64_t j = 0; j < c.n; ++j) {
      double acc = 0.0;
      for (std::int64_t p = 0; p < c.k; ++p) {
        const float av = c.trans_a ? a[static_cast<std::size_t>(p * lda + i)]
                                   : a[static_cast<std::size_t>(i * lda + p)];
        const float bv = c.trans_b ? b[static_cast<std::size_t>(j * ldb + p)]
                                   : b[static_cast<std::size_t>(p * ldb + j)];
        acc += static_cast<double>(av) * bv;
      }
      double& slot = out[static_cast<std::size_t>(i * ldc + j)];
      slot = alpha * acc + beta * slot;
    }
  }
  return out;
}

void expect_gemm_matches_naive(const GemmCase& c, int threads) {
  set_num_threads(threads);
  // Leading dimensions wider than the matrices, so strides are honoured and not assumed.
  const std::int64_t rows_a = c.trans_a ? c.k : c.m;
  const std::int64_t lda = (c.trans_a ? c.m : c.k) + 3;
  const std::int64_t rows_b = c.trans_b ? c.n : c.k;
  const std::int64_t ldb = (c.trans_b ? c.k : c.n) + 1;
  const std::int64_t ldc = c.n + 2;
  const auto a = random_values(rows_a * lda, 1);
  const auto b = random_values(rows_b * ldb, 2);
  const auto c0 = random_values(c.m * ldc, 3);
  for (const auto& [alpha, beta] : {std::pair{1.0f, 0.0f}, std::pair{0.5f, 1.5f}}) {
    std::vector<float> out = c0;
    gemm(c.trans_a, c.trans_b, c.m, c.n, c.k, alpha, a.data(), lda, b.data(), ldb, beta, out.data(),
         ldc);
    const auto want = naive_gemm(c, alpha, a, lda, b, ldb, beta, c0, ldc);
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_NEAR(out[i], want[i], 1e-4 * std::max(1.0, std::abs(want[i])))
          << "element " << i << " trans_a " << c.trans_a << " trans_b " << c.trans_b << " m " << c.m
          << " n " << c.n << " k " << c.k << " threads " << threads;
    }
  }
}

class GemmTest : public ::testing::TestWithParam<GemmCase> {
 protected:
  void TearDown() override { set_num_threads(2); }
};

TEST_P(GemmTest, MatchesANaiveLoopAtOneThread) { expect_gemm_matches_naive(GetParam(), 1); }

TEST_P(GemmTest, MatchesANaiveLoopAtTwoThreads) { expect_gemm_matches_naive(GetParam(), 2); }

// Small odd sizes run on one thread; the larger ones cross gemm's split threshold, by rows
// (m >= n) or by columns (m < n).
INSTANTIATE_TEST_SUITE_P(
    Blas, GemmTest,
    ::testing::Values(GemmCase{false, false, 7, 5, 3}, GemmCase{true, false, 7, 5, 3},
                      GemmCase{false, true, 7, 5, 3}, GemmCase{true, true, 7, 5, 3},
                      GemmCase{false, false, 67, 45, 353}, GemmCase{true, false, 67, 45, 353},
                      GemmCase{false, true, 37, 71, 401}, GemmCase{true, true, 37, 71, 401}));

TEST(GemmSerialTest, MatchesANaiveLoop) {
  const GemmCase c{false, true, 9, 11, 13};
  const auto a = random_values(c.m * c.k, 4);
  const auto b = random_values(c.n * c.k, 5);
  std::vector<float> out(static_cast<std::size_t>(c.m * c.n), 0.0f);
  gemm_serial(false, true, c.m, c.n, c.k, 1.0f, a.data(), c.k, b.data(), c.k, 0.0f, out.data(),
              c.n);
  const auto want = naive_gemm(c, 1.0f, a, c.k, b, c.k, 0.0f, out, c.n);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], want[i], 1e-5);
}

}  // namespace
}  // namespace dither
