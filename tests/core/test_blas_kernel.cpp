#include <gtest/gtest.h>

#include "core/blas.h"
#include "core/blas_kernel.h"

namespace dither {
namespace {

CpuFeatures cpu(bool avx, bool avx2, bool fma, bool avx512) { return {avx, avx2, fma, avx512}; }

// Recorded cases: what OpenBLAS 0.3.21 chose, the CPU's features, the kernel it should run.
TEST(BlasKernelTest, PicksTheWidestKernelTheCpuRunsWhenOpenBlasFellBack) {
  const CpuFeatures xeon_avx512 = cpu(true, true, true, true);  // Sapphire Rapids, Ice Lake
  const CpuFeatures zen3 = cpu(true, true, true, false);
  const CpuFeatures sandy = cpu(true, false, false, false);
  const CpuFeatures old = cpu(false, false, false, false);
  EXPECT_EQ(better_blas_kernel("Prescott", xeon_avx512), "SkylakeX");  // unknown new Xeon
  EXPECT_EQ(better_blas_kernel("Haswell", xeon_avx512), "SkylakeX");
  EXPECT_EQ(better_blas_kernel("SkylakeX", xeon_avx512), "");
  EXPECT_EQ(better_blas_kernel("SapphireRapids", xeon_avx512), "");
  EXPECT_EQ(better_blas_kernel("COOPERLAKE", xeon_avx512), "");  // names compare in any case
  EXPECT_EQ(better_blas_kernel("Prescott", zen3), "Haswell");    // unknown new AMD
  EXPECT_EQ(better_blas_kernel("Zen", zen3), "");
  EXPECT_EQ(better_blas_kernel("Nehalem", sandy), "Sandybridge");
  EXPECT_EQ(better_blas_kernel("Prescott", old), "");  // nothing better exists
  EXPECT_EQ(better_blas_kernel("Core2", cpu(true, true, false, false)), "Sandybridge");  // no FMA
}

TEST(BlasKernelTest, ReportNamesTheKernelThreadsAndFeatures) {
  const std::string report = blas_report();
  EXPECT_NE(report.find("BLAS kernel " + blas_core_name()), std::string::npos) << report;
  EXPECT_NE(report.find("threads"), std::string::npos) << report;
  EXPECT_NE(report.find(CpuFeatures::detect().to_string()), std::string::npos) << report;
  EXPECT_EQ(CpuFeatures{}.to_string(), "sse only");
}

}  // namespace
}  // namespace dither
