#pragma once

#include <string>
#include <string_view>

namespace dither {

/// The vector instruction sets of this CPU that decide which OpenBLAS kernel it can run.
struct CpuFeatures {
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool avx512 = false;  ///< AVX-512 F, BW, DQ and VL together: what SkylakeX kernels use

  /// This machine's features, from cpuid.
  static CpuFeatures detect();
  /// "avx512 avx2 fma avx", or "sse only".
  std::string to_string() const;
};

/// The OpenBLAS kernel this CPU should run when OpenBLAS chose `current` (its
/// openblas_get_corename()), or "" when `current` is already as fast. OpenBLAS 0.3.21 falls
/// back to its SSE3 "Prescott" kernels on CPUs it does not know (newer Xeons among them), at a
/// third of the speed its SkylakeX kernels reach there.
std::string better_blas_kernel(std::string_view current, const CpuFeatures& cpu);

/// For programs: when OpenBLAS runs a slower kernel than the CPU allows and the user set no
/// OPENBLAS_CORETYPE, sets it to the better kernel and re-executes the program once (OpenBLAS
/// reads the variable only when it loads). Returns normally when nothing is to be done or the
/// re-execution failed; library users set OPENBLAS_CORETYPE themselves (see blas_report()).
void ensure_best_blas_kernel(char** argv);

/// "BLAS kernel SkylakeX (OpenBLAS), 2 threads, CPU avx512 avx2 fma avx": what speed depends on.
/// Names the better kernel when this one is slower than the CPU allows.
std::string blas_report();

}  // namespace dither
