// The dither half of bench/vs_pytorch.sh: one measurement of the Fashion-MNIST MLP or CNN with
// the data in memory, printed as one JSON line with the BLAS kernel that ran and the peak RSS.
//
//   build/bench/train_speed MODE MODEL THREADS [BATCHES]
//     train  training samples/s, SGD with momentum, batch 128
//     fgsm   the same with the hook {"type": "fgsm", "eps": 0.1, "weight": 0.5}
//     fgsm_rs  the same with {"type": "fgsm_rs", "eps": 0.1} (weight 1: adversarial only)
//     pgd    the same with {"type": "pgd", "eps": 0.1, "steps": 7} (weight 1)
//     eval   evaluate() on the 10,000 test images, batch 256, three passes: samples/s
//     gemm   MLP only: the step's eight GEMM shapes through core's gemm() alone, as the
//            samples/s they bound training at, their GFLOP/s and the FLOPs of one step

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_models.h"
#include "core/blas.h"
#include "core/blas_kernel.h"
#include "core/parallel.h"
#include "train/evaluate.h"
#include "train/experiment.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kBatch = 128;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

nlohmann::json noise_of(const std::string& mode) {
  if (mode == "fgsm")
    return nlohmann::json::parse(R"([{"type": "fgsm", "eps": 0.1, "weight": 0.5}])");
  if (mode == "fgsm_rs") return nlohmann::json::parse(R"([{"type": "fgsm_rs", "eps": 0.1}])");
  if (mode == "pgd") return nlohmann::json::parse(R"([{"type": "pgd", "eps": 0.1, "steps": 7}])");
  return nlohmann::json::array();
}

// Samples/s of `batches` training steps after a warm-up of a tenth as many (buffer pool, page
// faults, thread start).
double train(const std::string& mode, const std::string& model, int batches) {
  dither::Experiment e =
      dither::build_experiment(dither::bench::fashion_config(model, noise_of(mode)));
  dither::Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks),
                          e.input, e.settings, e.seed);
  dither::BatchLoader loader(e.data.train, dither::LoaderOptions{.batch_size = kBatch}, e.seed);
  const std::int64_t per_epoch = loader.num_batches() - 1;  // full batches only
  auto run = [&](int count, int offset) {
    for (int b = 0; b < count; ++b) {
      const std::int64_t index = (offset + b) % per_epoch;
      trainer.train_step(loader.batch((offset + b) / per_epoch, index), 0, index);
    }
  };
  run(batches / 10 + 1, 0);
  const auto start = Clock::now();
  run(batches, batches / 10 + 1);
  return static_cast<double>(kBatch * batches) / seconds_since(start);
}

// Samples/s of evaluate() on the test set: three passes after one warm-up pass.
double eval(const std::string& model) {
  dither::Experiment e =
      dither::build_experiment(dither::bench::fashion_config(model, nlohmann::json::array()));
  dither::EvalOptions options;
  options.batch_size = 256;
  dither::evaluate(*e.model, e.data.test, options);
  constexpr int kPasses = 3;
  const auto start = Clock::now();
  std::int64_t count = 0;
  for (int pass = 0; pass < kPasses; ++pass) {
    count += dither::evaluate(*e.model, e.data.test, options).count;
  }
  return static_cast<double>(count) / seconds_since(start);
}

// One GEMM of the MLP step: C[m,n] = op(A) op(B) with A [m,k] or [k,m].
struct GemmShape {
  bool trans_a, trans_b;
  std::int64_t m, n, k;
};

// The MLP step's products (core/ops/matmul.cpp's linear): forward X Wᵀ, dW = Gᵀ X and, except
// for the first layer (its input needs no gradient), dX = G W.
std::vector<GemmShape> mlp_gemms() {
  const std::vector<std::int64_t> sizes{784, 256, 128, 10};
  std::vector<GemmShape> out;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const std::int64_t in = sizes[l], units = sizes[l + 1];
    out.push_back({false, true, kBatch, units, in});
    out.push_back({true, false, units, in, kBatch});
    if (l > 0) out.push_back({false, false, kBatch, in, units});
  }
  return out;
}

// Seconds per step of the MLP's GEMMs alone, the fastest of several timed rounds, and the FLOPs.
nlohmann::json gemm_bound() {
  const std::vector<GemmShape> shapes = mlp_gemms();
  std::vector<std::vector<float>> a, b, c;
  double flops = 0.0;
  for (const GemmShape& s : shapes) {
    a.emplace_back(static_cast<std::size_t>(s.m * s.k), 0.01f);
    b.emplace_back(static_cast<std::size_t>(s.k * s.n), 0.01f);
    c.emplace_back(static_cast<std::size_t>(s.m * s.n), 0.0f);
    flops += 2.0 * static_cast<double>(s.m * s.n * s.k);
  }
  auto step = [&] {
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      const GemmShape& s = shapes[i];
      dither::gemm(s.trans_a, s.trans_b, s.m, s.n, s.k, 1.0f, a[i].data(), s.trans_a ? s.m : s.k,
                   b[i].data(), s.trans_b ? s.k : s.n, 0.0f, c[i].data(), s.n);
    }
  };
  for (int i = 0; i < 50; ++i) step();
  double best = 1e30;
  for (int round = 0; round < 7; ++round) {
    const auto start = Clock::now();
    for (int i = 0; i < 100; ++i) step();
    best = std::min(best, seconds_since(start) / 100);
  }
  return {{"samples_per_second", kBatch / best},
          {"gemm_gflops", flops / best * 1e-9},
          {"step_flops", flops}};
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

}  // namespace

int main(int argc, char** argv) {
  dither::ensure_best_blas_kernel(argv);
  const std::vector<std::string> modes{"train", "fgsm", "fgsm_rs", "pgd", "eval", "gemm"};
  const std::string mode = argc > 1 ? argv[1] : "train";
  const std::string model = argc > 2 ? argv[2] : "mlp";
  if (std::find(modes.begin(), modes.end(), mode) == modes.end() ||
      (model != "mlp" && model != "cnn") || (mode == "gemm" && model != "mlp")) {
    std::fprintf(stderr,
                 "usage: train_speed train|fgsm|fgsm_rs|pgd|eval|gemm mlp|cnn [THREADS] [BATCHES] "
                 "(gemm: mlp only)\n");
    return 2;
  }
  const int threads = argc > 3 ? std::stoi(argv[3]) : 2;
  const int batches = argc > 4 ? std::stoi(argv[4]) : (model == "mlp" ? 400 : 40);
  dither::set_num_threads(threads);
  nlohmann::json out{{"framework", "dither"},
                     {"mode", mode},
                     {"model", model},
                     {"threads", threads},
                     {"kernel", dither::blas_core_name()}};
  if (mode == "gemm") {
    out.update(gemm_bound());
  } else {
    out["samples_per_second"] = mode == "eval" ? eval(model) : train(mode, model, batches);
  }
  out["peak_rss_mb"] = peak_rss_mb();
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
