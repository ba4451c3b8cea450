#include "core/parallel.h"

#include <cblas.h>
#include <tbb/global_control.h>
#include <tbb/task_scheduler_observer.h>
#include <xmmintrin.h>

#include <memory>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace dither {
namespace {

// Denormals made adversarial epochs twice as slow here; their precision is worthless for training.
void flush_denormals() { _mm_setcsr(_mm_getcsr() | 0x8040); }

class DenormalObserver : public tbb::task_scheduler_observer {
 public:
  DenormalObserver() { observe(true); }
  void on_scheduler_entry(bool) override { flush_denormals(); }
};

struct Runtime {
  std::mutex mutex;
  int threads = 1;
  std::unique_ptr<tbb::global_control> limit;
  DenormalObserver observer;

  Runtime() {
    const unsigned cores = std::thread::hardware_concurrency();
    apply(cores == 0 ? 1 : static_cast<int>(cores));
  }

  void apply(int n) {
    threads = n;
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(n));
    // GEMMs are split across TBB's workers (core/blas.cpp); OpenBLAS's own pool would spin on
    // the same cores between calls.
    openblas_set_num_threads(1);
    flush_denormals();
  }
};

Runtime& runtime() {
  static Runtime* instance = new Runtime;  // lives until exit: workers may outlive main's statics
  return *instance;
}

}  // namespace

void set_num_threads(int n) {
  check(n >= 1, "set_num_threads: need at least 1 thread, got ", n);
  Runtime& r = runtime();
  std::lock_guard lock(r.mutex);
  r.apply(n);
}

namespace {
thread_local int share_here = 0;  // 0: no ThreadShare on this thread
}  // namespace

int num_threads() {
  const int threads = runtime().threads;
  return share_here > 0 && share_here < threads ? share_here : threads;
}

ThreadShare::ThreadShare(int threads) : previous_(share_here) {
  check(threads >= 1, "ThreadShare: need at least 1 thread, got ", threads);
  share_here = previous_ > 0 && previous_ < threads ? previous_ : threads;
}
ThreadShare::~ThreadShare() { share_here = previous_; }

}  // namespace dither
