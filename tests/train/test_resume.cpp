#include <gtest/gtest.h>

#include <string>

#include "augment/gaussian.h"
#include "augment/registry.h"
#include "core/error.h"
#include "core/parallel.h"
#include "run_testing.h"
#include "train/checkpoint.h"
#include "train/run.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Restores the thread budget a test changed.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }

 private:
  int saved_;
};

TrainResult train(const fs::path& config, const fs::path& out, std::int64_t stop_after = 0) {
  TrainRequest request;
  request.config_path = config.string();
  request.out_dir = out;
  request.quiet = true;
  request.stop_after_epochs = stop_after;
  return run_training(request);
}

TrainResult resume(const fs::path& run_dir) {
  TrainRequest request;
  request.resume_dir = run_dir;
  request.quiet = true;
  return run_training(request);
}

// A 4-epoch run straight through, and the same run stopped after epoch 2 and resumed.
void expect_resume_matches_uninterrupted(int threads) {
  ThreadCount budget(threads);
  TempDir dir("resume");
  const fs::path config = dir / "moons.json";
  nlohmann::json spec = testing::moons_config(4);
  // Wide enough that element-wise loops split into several chunks at two threads.
  spec["model"]["layers"][0]["out"] = 256;
  spec["train"]["batch_size"] = 128;
  testing::write_text(config, spec.dump());

  const TrainResult whole = train(config, dir / "whole");
  EXPECT_EQ(whole.epochs_run, 4);
  const TrainResult first_half = train(config, dir / "split", 2);
  EXPECT_EQ(first_half.epochs_run, 2);
  const Checkpoint halfway = load_checkpoint(dir / "split" / "last.ckpt");
  EXPECT_EQ(halfway.meta.at("epochs_done"), 2);
  EXPECT_FALSE(testing::same_tensors(halfway, load_checkpoint(dir / "whole" / "last.ckpt")));

  const TrainResult resumed = resume(dir / "split");
  EXPECT_EQ(resumed.epochs_run, 4);
  const Checkpoint a = load_checkpoint(dir / "whole" / "last.ckpt");
  const Checkpoint b = load_checkpoint(dir / "split" / "last.ckpt");
  EXPECT_TRUE(testing::same_tensors(a, b)) << "at " << threads << " thread(s)";
  EXPECT_EQ(a.meta.at("step"), b.meta.at("step"));
  EXPECT_EQ(a.meta.at("hooks"), b.meta.at("hooks"));
  EXPECT_EQ(a.meta.at("schedule"), b.meta.at("schedule"));
  ASSERT_EQ(a.meta.at("history").size(), 4u);
  ASSERT_EQ(b.meta.at("history").size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.meta["history"][i]["train_loss"], b.meta["history"][i]["train_loss"]) << i;
    EXPECT_EQ(a.meta["history"][i]["val_loss"], b.meta["history"][i]["val_loss"]) << i;
    EXPECT_EQ(a.meta["history"][i]["lr"], b.meta["history"][i]["lr"]) << i;
  }
  EXPECT_EQ(whole.test.accuracy, resumed.test.accuracy);
  EXPECT_EQ(whole.test.loss, resumed.test.loss);
  EXPECT_EQ(testing::read_json_file(dir / "split" / "summary.json")["train"]["epochs"], 4);
}

TEST(ResumeTest, ResumedRunEndsWithTheSameWeightsAtOneThread) {
  expect_resume_matches_uninterrupted(1);
}

TEST(ResumeTest, ResumedRunEndsWithTheSameWeightsAtTwoThreads) {
  expect_resume_matches_uninterrupted(2);
}

// Guards the comparison above against passing vacuously: a resume that drew other dropout
// masks and input noise (here: a checkpoint whose step count, which names every noise stream,
// was moved) must end elsewhere.
TEST(ResumeTest, ComparisonSeesADifferentNoiseClock) {
  TempDir dir("resume-moved");
  const fs::path config = dir / "moons.json";
  testing::write_text(config, testing::moons_config(3).dump());
  train(config, dir / "whole");
  train(config, dir / "moved", 2);
  Checkpoint halfway = load_checkpoint(dir / "moved" / "last.ckpt");
  halfway.meta["step"] = halfway.meta["step"].get<std::int64_t>() + 1;
  save_checkpoint(dir / "moved" / "last.ckpt", halfway);
  resume(dir / "moved");
  EXPECT_FALSE(testing::same_tensors(load_checkpoint(dir / "whole" / "last.ckpt"),
                                     load_checkpoint(dir / "moved" / "last.ckpt")));
}

// A hook with state: it scales its input noise by how many batches it has seen, so a resumed
// run that lost the count would train on other inputs. `forget` drops the state on load.
class CountingNoiseHook : public Hook {
 public:
  explicit CountingNoiseHook(bool forget) : forget_(forget) {}
  std::string type_name() const override { return forget_ ? "counting_forgetful" : "counting"; }
  nlohmann::json to_json() const override { return {{"type", type_name()}, {"p", 1.0}}; }
  nlohmann::json state() const override { return {{"batches", batches_}}; }
  void load_state(const nlohmann::json& state) override {
    if (!forget_) batches_ = state.at("batches").get<std::int64_t>();
  }
  void on_batch(StepContext& ctx, Batch& batch) override {
    const float sigma = 0.01f * static_cast<float>(batches_++ % 7);
    batch.inputs = add_gaussian_noise(batch.inputs, sigma, ctx.stream("counting"), -1e30f, 1e30f);
  }

 private:
  bool forget_;
  std::int64_t batches_ = 0;
};

void register_counting_hooks() {
  static const bool once = [] {
    HookRegistry::instance().add("counting", [](const nlohmann::json&, const std::string&) {
      return std::make_unique<CountingNoiseHook>(false);
    });
    HookRegistry::instance().add("counting_forgetful",
                                 [](const nlohmann::json&, const std::string&) {
                                   return std::make_unique<CountingNoiseHook>(true);
                                 });
    return true;
  }();
  (void)once;
}

TEST(ResumeTest, HookStateTravelsInTheCheckpoint) {
  register_counting_hooks();
  for (const char* type : {"counting", "counting_forgetful"}) {
    TempDir dir("resume-hook-state");
    nlohmann::json spec = testing::moons_config(3);
    spec["noise"] = nlohmann::json::array({{{"type", type}}});
    testing::write_text(dir / "moons.json", spec.dump());
    train(dir / "moons.json", dir / "whole");
    train(dir / "moons.json", dir / "split", 1);
    // One epoch of 360 training samples (400 less the 10% validation split) in batches of 32.
    EXPECT_EQ(load_checkpoint(dir / "split" / "last.ckpt").meta.at("hooks")[0]["batches"], 12);
    resume(dir / "split");
    const bool same = testing::same_tensors(load_checkpoint(dir / "whole" / "last.ckpt"),
                                            load_checkpoint(dir / "split" / "last.ckpt"));
    EXPECT_EQ(same, std::string(type) == "counting") << type;
  }
}

// Every image hook at once, over a model with BatchNorm and dropout: a resumed run must still
// end bitwise where the uninterrupted one does.
TEST(ResumeTest, ResumedRunMatchesWithEveryImageHookOn) {
  TempDir dir("resume-all-hooks");
  const nlohmann::json spec = nlohmann::json::parse(R"({
    "seed": 5,
    "data": {"name": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist",
             "validation_split": 0.1, "limit_train": 384, "limit_test": 128},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 32},
                         {"type": "batch_norm1d"}, {"type": "relu"}, {"type": "dropout", "p": 0.2},
                         {"type": "linear", "out": 10}]},
    "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9},
    "noise": [{"type": "label_noise", "rate": 0.1}, {"type": "gaussian", "sigma": 0.05},
              {"type": "uniform", "amplitude": 0.05}, {"type": "speckle", "sigma": 0.05},
              {"type": "salt_pepper", "amount": 0.01}, {"type": "cutout", "length": 6},
              {"type": "random_erasing"}, {"type": "mixup", "alpha": 0.4, "p": 0.5},
              {"type": "cutmix", "p": 0.5}, {"type": "manifold_mixup", "alpha": 0.4, "p": 0.3},
              {"type": "label_smoothing", "eps": 0.1}, {"type": "fgsm", "eps": 0.03, "p": 0.5}],
    "train": {"epochs": 3, "batch_size": 64}
  })");
  testing::write_text(dir / "all.json", spec.dump());
  train(dir / "all.json", dir / "whole");
  train(dir / "all.json", dir / "split", 1);
  resume(dir / "split");
  EXPECT_TRUE(testing::same_tensors(load_checkpoint(dir / "whole" / "last.ckpt"),
                                    load_checkpoint(dir / "split" / "last.ckpt")));
}

// Free-AT carries its perturbation across batches and checkpoints; the other attacks draw their
// starts from the step's streams. A resumed run must end bitwise where the uninterrupted one does.
TEST(ResumeTest, ResumedRunMatchesWithEveryAdversarialHook) {
  for (const char* noise : {
           R"([{"type": "free_at", "eps": 0.05, "replays": 2}])",
           R"([{"type": "fgsm_rs", "eps": 0.05, "p": 0.5}, {"type": "pgd", "eps": 0.05,
               "steps": 2, "restarts": 2, "p": 0.5}, {"type": "trades", "eps": 0.05, "steps": 2}])",
       }) {
    TempDir dir("resume-adversarial");
    nlohmann::json spec = testing::moons_config(3);
    spec["noise"] = nlohmann::json::parse(noise);
    testing::write_text(dir / "moons.json", spec.dump());
    train(dir / "moons.json", dir / "whole");
    train(dir / "moons.json", dir / "split", 1);
    resume(dir / "split");
    const Checkpoint a = load_checkpoint(dir / "whole" / "last.ckpt");
    const Checkpoint b = load_checkpoint(dir / "split" / "last.ckpt");
    EXPECT_TRUE(testing::same_tensors(a, b)) << noise;
    EXPECT_EQ(a.meta.at("hooks"), b.meta.at("hooks")) << noise;
    EXPECT_EQ(a.meta.at("schedule"), b.meta.at("schedule")) << noise;
  }
}

// The sequence and token hooks, each on its data: a resumed run ends bitwise where the
// uninterrupted one does.
TEST(ResumeTest, ResumedRunMatchesWithTheSequenceAndTokenHooks) {
  const nlohmann::json waves = nlohmann::json::parse(R"({
    "seed": 5,
    "data": {"name": "waveforms", "train_size": 192, "test_size": 64},
    "model": {"layers": [{"type": "lstm", "hidden": 8}, {"type": "dropout", "p": 0.1},
                         {"type": "linear", "out": 4}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "noise": [{"type": "gaussian", "sigma": 0.1, "relative": true},
              {"type": "time_mask", "count": 2, "fill": "mean", "p": 0.7},
              {"type": "temporal_dropout", "rate": 0.1, "fill": "previous"}],
    "train": {"epochs": 3, "batch_size": 32}
  })");
  const nlohmann::json words = nlohmann::json::parse(R"({
    "seed": 5,
    "data": {"name": "words", "per_language": 120, "max_length": 10},
    "model": {"layers": [{"type": "embedding", "num_embeddings": 64, "dim": 8},
                         {"type": "lstm", "hidden": 8}, {"type": "linear", "out": 5}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "noise": [{"type": "token_mask", "rate": 0.2, "ramp_epochs": 1},
              {"type": "token_mask", "count": "exact", "p": 0.5}],
    "train": {"epochs": 3, "batch_size": 32}
  })");
  for (const auto& [name, spec] : {std::pair{"waves", waves}, {"words", words}}) {
    TempDir dir(std::string("resume-") + name);
    testing::write_text(dir / "config.json", spec.dump());
    train(dir / "config.json", dir / "whole");
    train(dir / "config.json", dir / "split", 1);
    resume(dir / "split");
    EXPECT_TRUE(testing::same_tensors(load_checkpoint(dir / "whole" / "last.ckpt"),
                                      load_checkpoint(dir / "split" / "last.ckpt")))
        << name;
  }
}

TEST(ResumeTest, ResumingAFinishedRunTrainsNoMore) {
  TempDir dir("resume-done");
  const fs::path config = dir / "moons.json";
  testing::write_text(config, testing::moons_config(2).dump());
  train(config, dir / "run");
  const std::string before = testing::slurp(dir / "run" / "last.ckpt");
  const TrainResult again = resume(dir / "run");
  EXPECT_EQ(again.epochs_run, 2);
  EXPECT_EQ(testing::slurp(dir / "run" / "last.ckpt"), before);
}

TEST(ResumeTest, ResumingAnEarlyStoppedRunTrainsNoMore) {
  TempDir dir("resume-early");
  const fs::path config = dir / "moons.json";
  nlohmann::json spec = testing::moons_config(200);
  spec["train"]["early_stopping"] = {{"patience", 1}, {"min_delta", 10.0}};  // no epoch is progress
  testing::write_text(config, spec.dump());
  const TrainResult first = train(config, dir / "run");
  ASSERT_TRUE(first.stopped_early);
  EXPECT_EQ(first.epochs_run, 2);
  const std::string before = testing::slurp(dir / "run" / "last.ckpt");
  const TrainResult again = resume(dir / "run");
  EXPECT_TRUE(again.stopped_early);
  EXPECT_EQ(again.epochs_run, 2);
  EXPECT_EQ(testing::slurp(dir / "run" / "last.ckpt"), before);
  EXPECT_EQ(testing::read_json_file(dir / "run" / "summary.json")["train"]["stopped_early"], true);
}

TEST(ResumeTest, ResumeRefusesOverridesAConfigAndAFolderWithNoRun) {
  TempDir dir("resume-bad");
  TrainRequest request;
  request.resume_dir = dir.path();
  request.quiet = true;
  EXPECT_THROW(run_training(request), ConfigError);  // no last.ckpt, no config.json there
  testing::write_text(dir / "config.json", testing::moons_config(1).dump());
  request.overrides = {"optimizer.lr=8"};  // only train.epochs may change
  EXPECT_THROW(run_training(request), ConfigError);
  request.overrides = {};
  request.config_path = (dir / "config.json").string();  // a config and --resume
  EXPECT_THROW(run_training(request), ConfigError);
  EXPECT_FALSE(fs::exists(dir / "last.ckpt"));
}

}  // namespace
}  // namespace dither
