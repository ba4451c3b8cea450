#include <gtest/gtest.h>

#include "core/buffer_pool.h"
#include "train/experiment.h"

namespace dither {
namespace {

// A steady training step reuses the buffers of the step before: the pool allocates nothing new.
TEST(SteadyStateTest, TrainingStepsAllocateNoNewBuffersAfterWarmUp) {
  const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3,
    "data": {"name": "blobs", "train_size": 512, "test_size": 64, "validation_split": 0.0},
    "model": {"layers": [{"type": "linear", "out": 32}, {"type": "relu"}, {"type": "dropout", "p": 0.1},
                         {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 3}]},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "noise": [{"type": "gaussian", "sigma": 0.1}],
    "train": {"epochs": 1, "batch_size": 64}
  })");
  Experiment e = build_experiment(config);
  Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input,
                  e.settings, e.seed);
  BatchLoader loader(e.data.train, LoaderOptions{.batch_size = 64}, e.seed);
  auto step = [&](std::int64_t b) {
    Batch batch = loader.batch(0, b);
    trainer.train_step(std::move(batch), 0, b);
  };
  for (std::int64_t b = 0; b < 3; ++b) step(b);
  const std::int64_t before = buffer_pool::allocation_count();
  for (std::int64_t b = 3; b < 8; ++b) step(b);
  EXPECT_EQ(buffer_pool::allocation_count(), before);
}

}  // namespace
}  // namespace dither
