#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <cstdint>
#include <vector>

namespace dither {

/// One thread budget for the whole process. Element-wise loops, reductions and GEMM row blocks
/// all run on TBB's workers; OpenBLAS is held at one thread, so no second pool ever spins
/// against them. Also turns on flush-to-zero and denormals-are-zero on every worker.
void set_num_threads(int n);
/// The current budget (default: the machine's cores); 1 inside a SerialScope.
int num_threads();

/// While alive, parallel loops and GEMMs started on this thread run on it alone. For work that is
/// itself split across threads at a coarser grain (evaluation batches): splitting each piece
/// again would only add hand-offs.
class SerialScope {
 public:
  SerialScope();
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool was_serial_;
};

/// Loops this short run on the calling thread: a task costs more than it saves.
inline constexpr std::int64_t kGrainSize = 16384;

/// fn(begin, end) over [0, n) in chunks of at most `grain`. The split points do not depend on
/// scheduling, so any per-chunk work is reproducible.
template <class Fn>
void parallel_for(std::int64_t n, const Fn& fn, std::int64_t grain = kGrainSize) {
  if (n <= 0) return;
  if (n <= grain || num_threads() == 1) {
    fn(std::int64_t{0}, n);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::int64_t>(0, n, grain),
      [&fn](const tbb::blocked_range<std::int64_t>& r) { fn(r.begin(), r.end()); },
      tbb::simple_partitioner());
}

/// Sum of fn(begin, end) over fixed chunks of `grain`, added in chunk order: the result is
/// bitwise the same at any thread count.
template <class Fn>
double parallel_sum(std::int64_t n, const Fn& fn, std::int64_t grain = kGrainSize) {
  if (n <= 0) return 0.0;
  const std::int64_t chunks = (n + grain - 1) / grain;
  if (chunks == 1) return fn(std::int64_t{0}, n);
  std::vector<double> partial(static_cast<std::size_t>(chunks));
  parallel_for(
      chunks,
      [&](std::int64_t c0, std::int64_t c1) {
        for (std::int64_t c = c0; c < c1; ++c) {
          const std::int64_t begin = c * grain;
          const std::int64_t end = begin + grain < n ? begin + grain : n;
          partial[static_cast<std::size_t>(c)] = fn(begin, end);
        }
      },
      1);
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace dither
