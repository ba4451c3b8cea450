// The engine against the raw kernels it is built on, in one run:
//  - linear forward and forward+backward on the MLP's shapes (batch 128: 784->256->128->10)
//    next to exactly the same GEMMs called directly, in FLOP/s;
//  - element-wise ops on 4M floats next to a memcpy of the same bytes, in bytes/s (read+written).
// Each benchmark times the engine and its baseline alternately, iteration by iteration, so both
// see the same machine load and the ratio engine/raw holds even on a busy machine. Every case
// runs at 1 and 2 threads. Run with
//   bench_engine --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/blas.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

constexpr std::int64_t kBatch = 128;
constexpr std::int64_t kLayers[3][2] = {{784, 256}, {256, 128}, {128, 10}};  // {in, out}
constexpr std::int64_t kElements = std::int64_t{4} << 20;

template <class Fn>
double seconds(const Fn& fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Times `engine` then `raw` in every iteration; reports the rate of `work` units per second of
// each (counters engine_<unit>, raw_<unit>) and engine time / raw time.
template <class Engine, class Raw>
void paired(benchmark::State& state, double work, const std::string& unit, const Engine& engine,
            const Raw& raw) {
  double engine_time = 0.0;
  double raw_time = 0.0;
  for (auto _ : state) {
    engine_time += seconds(engine);
    raw_time += seconds(raw);
  }
  const auto total = work * static_cast<double>(state.iterations());
  state.counters["engine_" + unit] = total / engine_time;
  state.counters["raw_" + unit] = total / raw_time;
  state.counters["engine/raw"] = engine_time / raw_time;
}

struct LinearCase {
  std::int64_t in;
  std::int64_t out;
  Tensor x;   // [batch, in]
  Tensor w;   // [out, in]
  Tensor b;   // [out]
  Tensor g;   // [batch, out]: the output gradient the raw backward uses, as sum()'s backward
  Tensor y;   // raw outputs, written in place
  Tensor dx;  // [batch, in]
  Tensor dw;  // [out, in]

  explicit LinearCase(const benchmark::State& state)
      : in(kLayers[state.range(1)][0]),
        out(kLayers[state.range(1)][1]),
        x(Tensor::randn({kBatch, in}, RandomStream(1, "bench-x")).set_requires_grad(true)),
        w(Tensor::randn({out, in}, RandomStream(2, "bench-w"), 0.0f, 0.05f)
              .set_requires_grad(true)),
        b(Tensor::randn({out}, RandomStream(3, "bench-b")).set_requires_grad(true)),
        g(Tensor::ones({kBatch, out})),
        y(Tensor::empty({kBatch, out})),
        dx(Tensor::empty({kBatch, in})),
        dw(Tensor::empty({out, in})) {
    set_num_threads(static_cast<int>(state.range(0)));
  }
  double flops() const { return 2.0 * static_cast<double>(kBatch * in * out); }

  void raw_forward() {
    gemm(false, true, kBatch, out, in, 1.0f, x.ptr(), in, w.ptr(), in, 0.0f, y.ptr(), out);
  }
  // dx = g w, dw = gᵀ x: the two GEMMs of linear's backward.
  void raw_backward() {
    gemm(false, false, kBatch, in, out, 1.0f, g.ptr(), out, w.ptr(), in, 0.0f, dx.ptr(), in);
    gemm(true, false, out, in, kBatch, 1.0f, g.ptr(), out, x.ptr(), in, 0.0f, dw.ptr(), in);
  }
};

// y = linear(x, w, b), recorded for backward as in training, next to y = x wᵀ.
void BM_LinearForward(benchmark::State& state) {
  LinearCase c(state);
  paired(
      state, c.flops(), "FLOP/s", [&] { benchmark::DoNotOptimize(linear(c.x, c.w, c.b).ptr()); },
      [&] { c.raw_forward(); });
}

// sum(linear(x, w, b)).backward() with x, w and b all needing gradients, next to the three GEMMs.
void BM_LinearForwardBackward(benchmark::State& state) {
  LinearCase c(state);
  paired(
      state, 3.0 * c.flops(), "FLOP/s",
      [&] {
        for (Tensor* t : {&c.x, &c.w, &c.b}) t->zero_grad();
        sum(linear(c.x, c.w, c.b)).backward();
      },
      [&] {
        c.raw_forward();
        c.raw_backward();
      });
}

// The same three GEMMs with OpenBLAS threading itself instead of dither's row/column split: what
// the one-pool policy (core/parallel.h) gives up, if anything.
void BM_OpenBlasThreadedForwardBackward(benchmark::State& state) {
  LinearCase c(state);
  auto sgemm = [](bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                  std::int64_t lda, const float* b, std::int64_t ldb, float* out,
                  std::int64_t ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0f, a,
                static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 0.0f, out,
                static_cast<blasint>(ldc));
  };
  openblas_set_num_threads(static_cast<int>(state.range(0)));
  paired(
      state, 3.0 * c.flops(), "FLOP/s",
      [&] {
        sgemm(false, true, kBatch, c.out, c.in, c.x.ptr(), c.in, c.w.ptr(), c.in, c.y.ptr(), c.out);
        sgemm(false, false, kBatch, c.in, c.out, c.g.ptr(), c.out, c.w.ptr(), c.in, c.dx.ptr(),
              c.in);
        sgemm(true, false, c.out, c.in, kBatch, c.g.ptr(), c.out, c.x.ptr(), c.in, c.dw.ptr(),
              c.in);
      },
      [&] {
        c.raw_forward();
        c.raw_backward();
      });
  openblas_set_num_threads(1);
}

void linear_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "layer"});
  for (int threads : {1, 2}) {
    for (int layer : {0, 1, 2}) b->Args({threads, layer});
  }
}

BENCHMARK(BM_LinearForward)->Apply(linear_args);
BENCHMARK(BM_LinearForwardBackward)->Apply(linear_args);
BENCHMARK(BM_OpenBlasThreadedForwardBackward)->Apply(linear_args);

struct ElementwiseCase {
  Tensor a = Tensor::randn({kElements}, RandomStream(4, "bench-a"));
  Tensor b = Tensor::randn({kElements}, RandomStream(5, "bench-b"));
  explicit ElementwiseCase(const benchmark::State& state) {
    set_num_threads(static_cast<int>(state.range(0)));
  }
};

constexpr double kTensorBytes = static_cast<double>(kElements * sizeof(float));

// `op`, which reads and writes `tensors` tensors' worth of bytes, next to a memcpy that moves the
// same bytes (tensors / 2 tensors' worth copied into a fresh tensor), split across the same
// thread budget.
template <class Op>
void against_memcpy(benchmark::State& state, std::int64_t tensors, const Op& op) {
  ElementwiseCase c(state);
  const Tensor source = Tensor::randn({tensors * kElements / 2}, RandomStream(6, "bench-copy"));
  paired(
      state, static_cast<double>(tensors) * kTensorBytes, "bytes/s",
      [&] { benchmark::DoNotOptimize(op(c).ptr()); },
      [&] {
        Tensor copy = Tensor::empty(source.shape());
        const float* src = source.ptr();
        float* dst = copy.ptr();
        parallel_for(source.numel(), [&](std::int64_t b, std::int64_t e) {
          std::memcpy(dst + b, src + b, static_cast<std::size_t>(e - b) * sizeof(float));
        });
        benchmark::DoNotOptimize(dst);
      });
}

void BM_Add(benchmark::State& state) {
  against_memcpy(state, 3, [](ElementwiseCase& c) { return add(c.a, c.b); });
}

void BM_Relu(benchmark::State& state) {
  against_memcpy(state, 2, [](ElementwiseCase& c) { return relu(c.a); });
}

void BM_MulScalar(benchmark::State& state) {
  against_memcpy(state, 2, [](ElementwiseCase& c) { return mul(c.a, 0.5f); });
}

void thread_args(benchmark::internal::Benchmark* b) { b->ArgNames({"threads"})->Arg(1)->Arg(2); }

BENCHMARK(BM_Add)->Apply(thread_args);
BENCHMARK(BM_Relu)->Apply(thread_args);
BENCHMARK(BM_MulScalar)->Apply(thread_args);

}  // namespace
}  // namespace dither

BENCHMARK_MAIN();
