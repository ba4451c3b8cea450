// Training throughput of the Fashion-MNIST MLP or CNN with the data in memory: the dither half
// of bench/speed_vs_torch.sh. Prints one JSON line: {"model", "threads", "samples_per_second"}.

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "bench_models.h"
#include "core/parallel.h"
#include "train/experiment.h"

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "mlp";
  const int threads = argc > 2 ? std::stoi(argv[2]) : 2;
  const int batches = argc > 3 ? std::stoi(argv[3]) : (model == "mlp" ? 400 : 40);
  dither::set_num_threads(threads);
  const nlohmann::json config = dither::bench::fashion_config(model, nlohmann::json::array());
  dither::Experiment e = dither::build_experiment(config);
  dither::Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks),
                          e.input, e.settings, e.seed);
  dither::BatchLoader loader(e.data.train, dither::LoaderOptions{.batch_size = 128}, e.seed);
  const std::int64_t per_epoch = loader.num_batches() - 1;  // full batches only
  auto run = [&](int count, int offset) {
    for (int b = 0; b < count; ++b) {
      const std::int64_t index = (offset + b) % per_epoch;
      dither::Batch batch = loader.batch((offset + b) / per_epoch, index);
      trainer.train_step(std::move(batch), 0, index);
    }
  };
  run(batches / 10 + 1, 0);  // warm-up: buffer pool, page faults, thread start
  const auto start = std::chrono::steady_clock::now();
  run(batches, batches / 10 + 1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"framework\": \"dither\", \"model\": \"%s\", \"threads\": %d, \"samples_per_second\": "
      "%.1f}\n",
      model.c_str(), threads, 128.0 * batches / seconds);
  return 0;
}
