#pragma once

#include <cstdint>
#include <string>

namespace dither {

/// C[m,n] = alpha * op(A) op(B) + beta * C, all row-major; op(X) is X or Xᵀ by flag, passed to
/// cblas_sgemm as a flag and never as a transposed copy. Large products are split into row (or
/// column) blocks across the thread budget; each block is one single-threaded sgemm.
/// A is [m,k] (or [k,m] when trans_a) with leading dimension lda; B is [k,n] (or [n,k]).
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
          const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
          std::int64_t ldc);

/// The same product on the calling thread only: for callers that already split the work.
void gemm_serial(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                 float alpha, const float* a, std::int64_t lda, const float* b, std::int64_t ldb,
                 float beta, float* c, std::int64_t ldc);

/// The kernel OpenBLAS chose for this CPU (openblas_get_corename(): "Haswell", "SkylakeX", or
/// "Prescott" when it fell back to its SSE3 kernels): what a speed figure must name.
std::string blas_core_name();

}  // namespace dither
