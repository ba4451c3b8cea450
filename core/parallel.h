#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <cstdint>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace dither {

namespace detail {

/// Under ThreadSanitizer, marks oneTBB's two hand-overs of a parallel loop as synchronisation:
/// the calling thread's writes before the loop happen before each chunk (start), and each
/// chunk's writes happen before the caller goes on after the loop (done). libtbb.so is not
/// built with TSan, so its own atomics and waits, which order these, are invisible to it.
/// Chunks get no order among themselves, so two chunks touching one element still report.
/// Without TSan every member is empty.
class TbbHandOff {
 public:
#if defined(__SANITIZE_THREAD__)
  void before_loop() { __tsan_release(&start_); }
  void chunk_begins() { __tsan_acquire(&start_); }
  void chunk_ends() { __tsan_release(&done_); }
  void after_loop() { __tsan_acquire(&done_); }

 private:
  char start_ = 0;
  char done_ = 0;
#else
  void before_loop() {}
  void chunk_begins() {}
  void chunk_ends() {}
  void after_loop() {}
#endif
};

}  // namespace detail

/// One thread budget for the whole process. Element-wise loops, reductions and GEMM row blocks
/// all run on TBB's workers; OpenBLAS is held at one thread, so no second pool ever spins
/// against them. Also turns on flush-to-zero and denormals-are-zero on every worker.
void set_num_threads(int n);
/// The current budget (default: the machine's cores); at most a ThreadShare's on its thread.
int num_threads();

/// While alive, parallel loops and GEMMs started on this thread split into at most `threads`
/// parts. For work that is itself split across threads at a coarser grain: splitting each piece
/// again would only add hand-offs.
class ThreadShare {
 public:
  explicit ThreadShare(int threads);
  ~ThreadShare();
  ThreadShare(const ThreadShare&) = delete;
  ThreadShare& operator=(const ThreadShare&) = delete;

 private:
  int previous_;
};

/// A ThreadShare of one thread: whole evaluation batches run on each thread.
class SerialScope : public ThreadShare {
 public:
  SerialScope() : ThreadShare(1) {}
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
  detail::TbbHandOff hand_off;
  hand_off.before_loop();
  tbb::parallel_for(
      tbb::blocked_range<std::int64_t>(0, n, grain),
      [&fn, &hand_off](const tbb::blocked_range<std::int64_t>& r) {
        hand_off.chunk_begins();
        fn(r.begin(), r.end());
        hand_off.chunk_ends();
      },
      tbb::simple_partitioner());
  hand_off.after_loop();
}

/// Sum of fn(begin, end) over fixed chunks of `grain`, added in chunk order: the result is
/// bitwise the same at any thread count. Its chunks run through parallel_for, so they carry the
/// same TSan hand-overs.
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

/// Runs first() and second() at once, each on half the thread budget, or one after the other on
/// one thread. For two independent pieces of work of about the same size (a layer's input and
/// weight gradients): two whole GEMMs side by side scale better than each split in two, and
/// hand over once instead of twice.
template <class First, class Second>
void side_by_side(const First& first, const Second& second) {
  const int threads = num_threads();
  if (threads == 1) {
    first();
    second();
    return;
  }
  parallel_for(
      2,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t p = p0; p < p1; ++p) {
          if (p == 0) {
            const ThreadShare share(threads / 2);
            first();
          } else {
            const ThreadShare share(threads - threads / 2);
            second();
          }
        }
      },
      1);
}

}  // namespace dither
