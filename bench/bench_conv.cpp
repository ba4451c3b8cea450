// Convolution against the raw GEMMs it is built on, and where a small CNN's step spends its time:
//  - Conv2d 32->64, 3x3, padding 1, on 13x13 maps, batch 128: forward and forward+backward of the
//    fused conv2d op next to the same per-sample GEMMs alone (gemm_serial on prepared column
//    matrices, split over the batch as conv2d splits it), in FLOP/s. Their ratio is what im2col,
//    col2im, the bias and the batch reductions cost;
//  - one training step (forward, cross-entropy, backward, SGD with momentum) of conv-relu-pool-
//    conv-relu-pool-linear on [128,1,28,28] (32 and 64 channels, 3x3 padding 1, 2x2 max pooling),
//    with BatchNorm after each conv (bn=1) or without (bn=0), and the share of the step's process
//    CPU time spent inside pooling and inside BatchNorm, forward and backward ("pool_share",
//    "bn_share").
// Every case runs at 1 and 2 threads. Run with
//   bench_conv --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <vector>

#include "core/autograd.h"
#include "core/blas.h"
#include "core/ops.h"
#include "core/ops/conv.h"
#include "core/ops/loss.h"
#include "core/ops/shape_ops.h"
#include "core/parallel.h"
#include "core/random.h"
#include "layers/activations.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/flatten.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "layers/sequential.h"
#include "optim/sgd.h"

namespace dither {
namespace {

constexpr std::int64_t kBatch = 128;
constexpr std::int64_t kIn = 32;
constexpr std::int64_t kOut = 64;
constexpr std::int64_t kMap = 13;
constexpr std::int64_t kRows = kIn * 3 * 3;  // rows of a column matrix: C kh kw
constexpr std::int64_t kCols = kMap * kMap;  // its columns: Ho Wo (padding 1 keeps 13x13)
constexpr std::int64_t kChunks = 16;         // conv2d's weight-gradient chunks at batch 128

struct ConvCase {
  Tensor x = Tensor::randn({kBatch, kIn, kMap, kMap}, RandomStream(1, "bench-x"));
  Tensor w = Tensor::randn({kOut, kIn, 3, 3}, RandomStream(2, "bench-w"), 0.0f, 0.05f);
  Tensor b = Tensor::randn({kOut}, RandomStream(3, "bench-b"));
  explicit ConvCase(const benchmark::State& state) {
    set_num_threads(static_cast<int>(state.range(0)));
  }
};

// Operands of the raw GEMMs: one column matrix and one output gradient per sample.
struct RawCase : ConvCase {
  Tensor cols = Tensor::randn({kBatch, kRows, kCols}, RandomStream(4, "bench-cols"));
  Tensor g = Tensor::randn({kBatch, kOut, kCols}, RandomStream(5, "bench-g"));
  Tensor y = Tensor::empty({kBatch, kOut, kCols});
  Tensor dcols = Tensor::empty({kBatch, kRows, kCols});
  Tensor dw = Tensor::empty({kChunks, kOut, kRows});
  using ConvCase::ConvCase;
};

constexpr double kForwardFlops = 2.0 * kBatch * kOut * kCols * kRows;

void report_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["FLOP/s"] =
      benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Conv2dForward(benchmark::State& state) {
  ConvCase c(state);
  for (auto _ : state) {
    Tensor y = conv2d(c.x, c.w, c.b, {1, 1}, {1, 1});
    benchmark::DoNotOptimize(y.ptr());
  }
  report_flops(state, kForwardFlops);
}

void BM_RawGemmConvForward(benchmark::State& state) {
  RawCase c(state);
  for (auto _ : state) {
    parallel_for(
        kBatch,
        [&](std::int64_t n0, std::int64_t n1) {
          for (std::int64_t n = n0; n < n1; ++n) {
            gemm_serial(false, false, kOut, kCols, kRows, 1.0f, c.w.ptr(), kRows,
                        c.cols.ptr() + n * kRows * kCols, kCols, 0.0f, c.y.ptr() + n * kOut * kCols,
                        kCols);
          }
        },
        1);
    benchmark::ClobberMemory();
  }
  report_flops(state, kForwardFlops);
}

// The engine's training pass: forward, then a backward from sum(y) (whose own backward is one
// fill of ones, small next to the convolution).
void BM_Conv2dForwardBackward(benchmark::State& state) {
  ConvCase c(state);
  for (Tensor* t : {&c.x, &c.w, &c.b}) t->set_requires_grad(true);
  for (auto _ : state) {
    for (Tensor* t : {&c.x, &c.w, &c.b}) t->zero_grad();
    sum(conv2d(c.x, c.w, c.b, {1, 1}, {1, 1})).backward();
    benchmark::DoNotOptimize(c.w.grad().ptr());
  }
  report_flops(state, 3.0 * kForwardFlops);
}

// The three GEMMs per sample: y = W col, dW += G colᵀ (per chunk, as conv2d), dcol = Wᵀ G.
void BM_RawGemmConvForwardBackward(benchmark::State& state) {
  RawCase c(state);
  for (auto _ : state) {
    parallel_for(
        kChunks,
        [&](std::int64_t c0, std::int64_t c1) {
          for (std::int64_t chunk = c0; chunk < c1; ++chunk) {
            float* dw = c.dw.ptr() + chunk * kOut * kRows;
            for (std::int64_t n = kBatch * chunk / kChunks; n < kBatch * (chunk + 1) / kChunks;
                 ++n) {
              const float* col = c.cols.ptr() + n * kRows * kCols;
              const float* g = c.g.ptr() + n * kOut * kCols;
              gemm_serial(false, false, kOut, kCols, kRows, 1.0f, c.w.ptr(), kRows, col, kCols,
                          0.0f, c.y.ptr() + n * kOut * kCols, kCols);
              gemm_serial(false, true, kOut, kRows, kCols, 1.0f, g, kCols, col, kCols, 1.0f, dw,
                          kRows);
              gemm_serial(true, false, kRows, kCols, kOut, 1.0f, c.w.ptr(), kRows, g, kCols, 0.0f,
                          c.dcols.ptr() + n * kRows * kCols, kCols);
            }
          }
        },
        1);
    benchmark::ClobberMemory();
  }
  report_flops(state, 3.0 * kForwardFlops);
}

void thread_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads"})->UseRealTime()->Arg(1)->Arg(2);
}

BENCHMARK(BM_Conv2dForward)->Apply(thread_args);
BENCHMARK(BM_RawGemmConvForward)->Apply(thread_args);
BENCHMARK(BM_Conv2dForwardBackward)->Apply(thread_args);
BENCHMARK(BM_RawGemmConvForwardBackward)->Apply(thread_args);

// Process CPU time: on a shared machine, time the scheduler gives to other processes would
// otherwise land in whichever interval it interrupts. At 2 threads it includes the workers' time.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<Clock>;
  static constexpr bool is_steady = true;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};

// Identity whose backward notes the time it runs: two of them around a layer bracket the
// layer's own backward, since the sweep runs a chain's nodes strictly in reverse.
Tensor stamp(const Tensor& x, Clock::time_point* at) {
  return record("stamp", detached_view(x, x.shape()), {x}, [at](const Tensor& g, const NeedsGrad&) {
    *at = Clock::now();
    return std::vector<Tensor>{g};
  });
}

// Runs a layer and adds up the time spent in its forward and its backward.
class Timed : public Module {
 public:
  explicit Timed(std::shared_ptr<Module> inner) : inner_(register_module("inner", inner)) {}
  Tensor forward(const Tensor& x) override {
    const Tensor in = stamp(x, &backward_end_);
    const auto start = Clock::now();
    const Tensor y = inner_->forward(in);
    seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    return stamp(y, &backward_start_);
  }
  std::string type_name() const override { return "timed"; }
  void after_backward() {
    seconds_ += std::chrono::duration<double>(backward_end_ - backward_start_).count();
  }
  double seconds() const { return seconds_; }

 private:
  std::shared_ptr<Module> inner_;
  Clock::time_point backward_start_, backward_end_;
  double seconds_ = 0.0;
};

void BM_SmallCnnTrainingStep(benchmark::State& state) {
  set_num_threads(static_cast<int>(state.range(0)));
  const bool with_bn = state.range(1) != 0;
  manual_seed(6);
  std::vector<std::shared_ptr<Timed>> pools, norms;
  auto model = std::make_shared<Sequential>();
  std::int64_t channels = 1;
  for (std::int64_t out : {32, 64}) {
    model->add(std::make_shared<Conv2d>(
        Conv2dOptions{.in = channels, .out = out, .kernel = {3, 3}, .padding = {1, 1}}));
    if (with_bn) {
      norms.push_back(model->add(std::make_shared<Timed>(
          std::make_shared<BatchNorm2d>(BatchNormOptions{.features = out}))));
    }
    model->add(std::make_shared<ReLU>());
    pools.push_back(model->add(
        std::make_shared<Timed>(std::make_shared<MaxPool2d>(Pool2dOptions{.kernel = {2, 2}}))));
    channels = out;
  }
  model->add(std::make_shared<Flatten>());
  model->add(std::make_shared<Linear>(LinearOptions{.in = 64 * 7 * 7, .out = 10}));
  Sgd optimizer(model->parameters(), SgdOptions{.lr = 0.01, .momentum = 0.9});
  const Tensor x = Tensor::randn({kBatch, 1, 28, 28}, RandomStream(7, "bench-images"));
  Tensor labels = Tensor::empty({kBatch});
  const RandomStream label_stream(8, "bench-labels");
  for (std::int64_t i = 0; i < kBatch; ++i) {
    labels.ptr()[i] = static_cast<float>(label_stream.integer(static_cast<std::uint64_t>(i), 10));
  }

  double total = 0.0;
  for (auto _ : state) {
    const auto start = Clock::now();
    optimizer.zero_grad();
    cross_entropy(model->forward(x), labels).backward();
    optimizer.step();
    total += std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& t : pools) t->after_backward();
    for (auto& t : norms) t->after_backward();
  }
  auto share = [&](const std::vector<std::shared_ptr<Timed>>& layers) {
    double seconds = 0.0;
    for (const auto& t : layers) seconds += t->seconds();
    return seconds / total;
  };
  state.counters["pool_share"] = share(pools);
  state.counters["bn_share"] = share(norms);
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(kBatch),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_SmallCnnTrainingStep)
    ->ArgNames({"threads", "bn"})
    ->UseRealTime()
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({2, 0})
    ->Args({2, 1});

}  // namespace
}  // namespace dither

BENCHMARK_MAIN();
