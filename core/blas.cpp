#include "core/blas.h"

#include <cblas.h>

#include <algorithm>

#include "core/parallel.h"

namespace dither {
namespace {

// Below this many multiply-adds a second thread costs more than it saves.
constexpr std::int64_t kSplitWork = std::int64_t{1} << 20;
// Blocks keep a multiple of the micro-kernel's tile so no thread runs a ragged edge kernel.
constexpr std::int64_t kTile = 16;

}  // namespace

void gemm_serial(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                 float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb,
                 float beta, float* c, std::int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<blasint>(m), static_cast<blasint>(n),
              static_cast<blasint>(k), alpha, a, static_cast<blasint>(lda), b,
              static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
          std::int64_t ldc) {
  const std::int64_t threads = num_threads();
  // Which side to split, measured on the MLP's products at two threads (docs/speed.md): for
  // x Wᵀ (B transposed) columns, 1.8x against 1.7x; for Gᵀ x and G W rows, Gᵀ x 1.77x against
  // 1.52x. The other side when the preferred one is too short to share.
  const bool prefer_columns = trans_b && !trans_a;
  const bool split_rows = prefer_columns ? n < 2 * kTile : m >= 2 * kTile;
  const std::int64_t extent = split_rows ? m : n;
  if (threads == 1 || m * n * k < kSplitWork || extent < 2 * kTile) {
    gemm_serial(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const std::int64_t tiles = (extent + kTile - 1) / kTile;
  const std::int64_t parts = std::min(threads, tiles);
  parallel_for(
      parts,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t p = p0; p < p1; ++p) {
          const std::int64_t begin = tiles * p / parts * kTile;
          const std::int64_t end = std::min(extent, tiles * (p + 1) / parts * kTile);
          if (split_rows) {
            const float* a_block = trans_a ? a + begin : a + begin * lda;
            gemm_serial(trans_a, trans_b, end - begin, n, k, alpha, a_block, lda, b, ldb, beta,
                        c + begin * ldc, ldc);
          } else {
            const float* b_block = trans_b ? b + begin * ldb : b + begin;
            gemm_serial(trans_a, trans_b, m, end - begin, k, alpha, a, lda, b_block, ldb, beta,
                        c + begin, ldc);
          }
        }
      },
      1);
}

std::string blas_core_name() {
  const char* name = openblas_get_corename();
  return name == nullptr ? "unknown" : name;
}

}  // namespace dither
