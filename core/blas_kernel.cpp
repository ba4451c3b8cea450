#include "core/blas_kernel.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <map>

#include "core/blas.h"
#include "core/parallel.h"

namespace dither {
namespace {

// Kernel families by the widest vectors they use; unknown names count as the generic kind.
int kernel_rank(std::string_view name) {
  static const std::map<std::string, int> ranks{
      {"sandybridge", 1}, {"bulldozer", 1},     {"piledriver", 1}, {"steamroller", 1},
      {"excavator", 1},   {"haswell", 2},       {"zen", 2},        {"skylakex", 3},
      {"cooperlake", 3},  {"sapphirerapids", 3}};
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto it = ranks.find(lower);
  return it == ranks.end() ? 0 : it->second;
}

constexpr const char* kReexecMark = "DITHER_BLAS_KERNEL_SET";

}  // namespace

CpuFeatures CpuFeatures::detect() {
  __builtin_cpu_init();
  CpuFeatures f;
  f.avx = __builtin_cpu_supports("avx");
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  return f;
}

std::string CpuFeatures::to_string() const {
  std::string s;
  for (const auto& [on, name] : {std::pair{avx512, "avx512"}, std::pair{avx2, "avx2"},
                                 std::pair{fma, "fma"}, std::pair{avx, "avx"}}) {
    if (!on) continue;
    if (!s.empty()) s += ' ';
    s += name;
  }
  return s.empty() ? "sse only" : s;
}

std::string better_blas_kernel(std::string_view current, const CpuFeatures& cpu) {
  const char* best = cpu.avx512            ? "SkylakeX"
                     : cpu.avx2 && cpu.fma ? "Haswell"
                     : cpu.avx             ? "Sandybridge"
                                           : nullptr;
  if (best == nullptr || kernel_rank(current) >= kernel_rank(best)) return "";
  return best;
}

void ensure_best_blas_kernel(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv(kReexecMark) != nullptr) return;
  const std::string better = better_blas_kernel(blas_core_name(), CpuFeatures::detect());
  if (better.empty()) return;
  ::setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
  ::setenv(kReexecMark, "1", 1);
  ::execv("/proc/self/exe", argv);
  ::unsetenv("OPENBLAS_CORETYPE");  // exec failed: carry on with the kernel there is
}

std::string blas_report() {
  const std::string kernel = blas_core_name();
  const CpuFeatures cpu = CpuFeatures::detect();
  std::string s = "BLAS kernel " + kernel + " (OpenBLAS), " + std::to_string(num_threads()) +
                  " threads, CPU " + cpu.to_string();
  const std::string better = better_blas_kernel(kernel, cpu);
  if (!better.empty()) {
    s += "; this CPU could run the faster " + better + " kernel: set OPENBLAS_CORETYPE=" + better;
  }
  return s;
}

}  // namespace dither
