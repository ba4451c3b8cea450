#include <gtest/gtest.h>

#include <string>

#include "core/buffer_pool.h"
#include "train/experiment.h"

namespace dither {
namespace {

// A steady training step reuses the buffers of the step before: the pool allocates nothing new,
// with extra passes (FGSM with and without the clean forward's reuse, PGD) as without.
TEST(SteadyStateTest, TrainingStepsAllocateNoNewBuffersAfterWarmUp) {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3,
    "data": {"name": "blobs", "train_size": 512, "test_size": 64, "validation_split": 0.0},
    "model": {"layers": [{"type": "linear", "out": 32}, {"type": "relu"}, {"type": "dropout", "p": 0.1},
                         {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 3}]},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "train": {"epochs": 1, "batch_size": 64}
  })");
  const nlohmann::json no_dropout = nlohmann::json::parse(R"([{"type": "linear", "out": 32},
      {"type": "relu"}, {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 3}])");
  for (const char* noise :
       {R"([{"type": "gaussian", "sigma": 0.1}])",
        R"([{"type": "fgsm", "eps": 0.1, "weight": 0.5}])", R"([{"type": "fgsm_rs", "eps": 0.1}])",
        R"([{"type": "pgd", "eps": 0.1, "steps": 2}])"}) {
    for (bool dropout : {true, false}) {
      SCOPED_TRACE(std::string(noise) + (dropout ? " with dropout" : " without dropout"));
      nlohmann::json c = config;
      c["noise"] = nlohmann::json::parse(noise);
      if (!dropout) c["model"]["layers"] = no_dropout;
      Experiment e = build_experiment(c);
      Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks),
                      e.input, e.settings, e.seed);
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
  }
}

}  // namespace
}  // namespace dither
