#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "layers/summary.h"
#include "run_testing.h"
#include "train/atomic_file.h"
#include "train/checkpoint.h"
#include "train/experiment.h"
#include "train/metrics.h"
#include "train/plot.h"
#include "train/resources.h"
#include "train/run.h"
#include "train/run_eval.h"
#include "train/run_folder.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::TempDir;

// The PID of a process that has exited and been reaped: no process has it now.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(AtomicFileTest, ReplacesTheFileAndLeavesNoTemporary) {
  TempDir dir("atomic");
  write_file_atomic(dir / "a.txt", "old");
  write_file_atomic(dir / "a.txt", "new contents");
  EXPECT_EQ(testing::slurp(dir / "a.txt"), "new contents");
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
  EXPECT_THROW(write_file_atomic(dir / "no-such-folder" / "a.txt", "x"), ConfigError);
}

TEST(AtomicFileTest, StaleTemporariesOfDeadProcessesAreRemoved) {
  TempDir dir("stale");
  const std::string dead = std::to_string(dead_pid());
  const std::string alive = std::to_string(::getppid());
  const std::vector<std::string> names{"last.ckpt.tmp-" + dead,
                                       "curves.png.tmp-" + dead + ".png",
                                       "metrics.csv.tmp-" + alive,
                                       "notes.tmp-x",
                                       "keep.txt",
                                       temporary_path(dir / "mine.json").filename().string()};
  for (const std::string& name : names) {
    testing::write_text(dir / name, "x");
  }
  EXPECT_EQ(remove_stale_temporaries(dir.path()), 2);
  EXPECT_FALSE(fs::exists(dir / ("last.ckpt.tmp-" + dead)));
  EXPECT_FALSE(fs::exists(dir / ("curves.png.tmp-" + dead + ".png")));
  EXPECT_TRUE(fs::exists(dir / ("metrics.csv.tmp-" + alive)));  // its writer may be at work
  EXPECT_TRUE(fs::exists(dir / "notes.tmp-x"));                 // not a temporary's name
  EXPECT_TRUE(fs::exists(dir / "keep.txt"));
  EXPECT_TRUE(fs::exists(temporary_path(dir / "mine.json")));  // this process's own
}

TEST(RunFolderTest, LockIsExclusiveUntilReleased) {
  TempDir dir("lock");
  {
    const FolderLock first(dir.path());
    // flock locks belong to the open file: a second open conflicts even in the same process,
    // as a second dither process would.
    try {
      const FolderLock second(dir.path());
      ADD_FAILURE() << "locked twice";
    } catch (const ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), "another dither process")) << e.what();
    }
  }
  EXPECT_NO_THROW(FolderLock again(dir.path()));
}

TEST(RunFolderTest, HoldsRunSeesAnyRunFile) {
  TempDir dir("holds");
  EXPECT_FALSE(holds_run(dir.path()));
  testing::write_text(dir / ".lock", "");
  testing::write_text(dir / "notes.txt", "");
  EXPECT_FALSE(holds_run(dir.path()));
  testing::write_text(dir / "metrics.csv", "");
  EXPECT_TRUE(holds_run(dir.path()));
}

TEST(RunFolderTest, NewRunRefusesAFolderHoldingAnotherRun) {
  TempDir dir("refuse");
  testing::fit(testing::moons_config(1), dir);
  const std::string before = testing::slurp(dir / "run" / "last.ckpt");
  nlohmann::json other = testing::moons_config(1);
  other["seed"] = 99;
  try {
    testing::fit(other, dir);
    ADD_FAILURE() << "overwrote the run";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), (dir / "run").string() + ": holds another run")) << e.what();
    EXPECT_TRUE(contains(e.what(), "--resume")) << e.what();
  }
  EXPECT_EQ(testing::slurp(dir / "run" / "last.ckpt"), before);
}

TEST(MetricsTest, NonFiniteLogitsAreADivergence) {
  MetricAccumulator m(2);
  m.add(Tensor::from({1.0f, 0.0f}, {1, 2}), Tensor::from({0.0f}, {1}));
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity()}) {
    try {
      m.add(Tensor::from({0.0f, 1.0f, 2.0f, bad}, {2, 2}), Tensor::from({0.0f, 1.0f}, {2}));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const DivergenceError& e) {
      EXPECT_TRUE(contains(e.what(), "sample 3")) << e.what();  // second row, after one earlier
    }
  }
}

TEST(DivergenceTest, EvalOfWeightsWithNonFiniteOutputsIsADivergence) {
  TempDir dir("eval-diverged");
  testing::fit(testing::moons_config(1), dir);
  Checkpoint c = load_checkpoint(dir / "run" / "last.ckpt");
  for (auto& [name, t] : c.tensors) {
    if (name.rfind("model.", 0) != 0) continue;
    Tensor scaled = t.clone();
    for (float& v : scaled.data()) v *= 1e30f;  // finite weights, overflowing outputs
    t = scaled;
  }
  save_checkpoint(dir / "huge.ckpt", c);
  try {
    EvalRequest request;
    request.target = dir / "huge.ckpt";
    request.out_dir = dir / "eval";
    run_evaluation(request);
    ADD_FAILURE() << "evaluated";
  } catch (const DivergenceError& e) {
    EXPECT_TRUE(contains(e.what(), "huge.ckpt: diverged weights (test set)")) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "eval" / "eval.json"));
}

TEST(MetricsTest, AClassWithNoSamplesHasNoAccuracy) {
  MetricAccumulator m(3);
  m.add(Tensor::from({2.0f, 0.0f, 0.0f, 0.0f, 0.0f, 2.0f}, {2, 3}),
        Tensor::from({0.0f, 1.0f}, {2}));
  const Evaluation e = m.result();
  EXPECT_DOUBLE_EQ(e.per_class_accuracy[0], 1.0);
  EXPECT_DOUBLE_EQ(e.per_class_accuracy[1], 0.0);  // samples, none right
  EXPECT_TRUE(std::isnan(e.per_class_accuracy[2]));
  EXPECT_TRUE(nlohmann::json::parse(e.to_json().dump())["per_class_accuracy"][2].is_null());
}

TEST(ConfigTest, ResolvedConfigWritesFloatOptionsAsTyped) {
  nlohmann::json config = testing::moons_config(1);
  config["model"]["layers"][2]["p"] = 0.1;
  config["noise"] = {{{"type", "gaussian"}, {"sigma", 0.1}, {"p", 0.3}}};
  const Experiment e = build_experiment(config);
  const std::string text = e.resolved.dump();
  EXPECT_FALSE(contains(text, "000000")) << text;
  EXPECT_FALSE(contains(text, "999999")) << text;
  EXPECT_EQ(e.resolved["model"]["layers"][2]["p"], 0.1);
  EXPECT_EQ(e.resolved["noise"][0]["p"], 0.3);
  EXPECT_EQ(build_experiment(e.resolved).resolved, e.resolved);  // and it builds the same
}

TEST(ResourcesTest, EstimateCountsParametersAndOneBatchOfActivations) {
  nlohmann::json config = testing::moons_config(1);
  const Experiment e = build_experiment(config);
  const MemoryEstimate m = estimate_memory(e);
  const ModelSummary s = summarize(*e.model, e.input.sample_shape);
  // 2 -> 16 -> relu -> dropout -> 2: 2 + 16 + 16 + 16 + 2 floats per sample, batch 32.
  EXPECT_EQ(m.activations, (2 + 16 + 16 + 16 + 2) * 32 * 3 * 4);
  EXPECT_EQ(m.parameters, s.parameters * 16);
  EXPECT_EQ(m.data, (e.data.train.size() + e.data.validation.size() + e.data.test.size()) * 3 * 4);
  EXPECT_NO_THROW(check_memory(e, m.total()));
  try {
    check_memory(e, m.total() - 1);
    ADD_FAILURE() << "not refused";
  } catch (const ConfigError& err) {
    EXPECT_TRUE(contains(err.what(), "needs about")) << err.what();
    EXPECT_TRUE(contains(err.what(), "train.batch_size")) << err.what();
  }
  EXPECT_GT(physical_memory(), 0);
}

TEST(ResourcesTest, AHugeBatchOfAWideModelIsRefusedBeforeTraining) {
  TempDir dir("memory");
  nlohmann::json config = testing::moons_config(1);
  config["data"]["train_size"] = 2000;
  config["model"]["layers"] = {
      {{"type", "linear"}, {"out", 1 << 16}}, {{"type", "relu"}}, {{"type", "linear"}, {"out", 2}}};
  // 2 * 65536 + 2 + 2 floats a sample, a batch of 1800, three times, four bytes: 2.8 GB; more
  // than any budget below it.
  config["train"]["batch_size"] = 1 << 20;
  const Experiment e = build_experiment(config);
  EXPECT_GT(estimate_memory(e).activations, std::int64_t{2'800'000'000});
  EXPECT_THROW(check_memory(e, std::int64_t{2'000'000'000}), ConfigError);
}

TEST(PlotTest, EpochAxisHasWholeEpochTicksAndARangeForOneEpoch) {
  EXPECT_TRUE(contains(epoch_axis(1), "set xrange [0.5:1.5]")) << epoch_axis(1);
  EXPECT_TRUE(contains(epoch_axis(3), "set xtics 1\n")) << epoch_axis(3);
  EXPECT_TRUE(contains(epoch_axis(3), "graph 0.08")) << epoch_axis(3);  // y padding
  EXPECT_FALSE(contains(epoch_axis(100), "set xtics 1\n")) << epoch_axis(100);
}

TEST(PlotTest, APlotterThatDiesAtOnceIsAnErrorNotASigpipe) {
  // A "gnuplot" that exits without reading: writing more than a pipe holds then fails with
  // EPIPE, and SIGPIPE, unless ignored, would kill this process.
  TempDir dir("sigpipe");
  testing::write_text(dir / "gnuplot", "#!/bin/sh\nexit 1\n");
  fs::permissions(dir / "gnuplot", fs::perms::owner_all);
  const std::string saved = std::getenv("PATH") == nullptr ? "" : std::getenv("PATH");
  ::setenv("PATH", dir.path().c_str(), 1);
  const std::string error = run_gnuplot(std::string(1 << 20, '#'), dir / "x.png");
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(error, "gnuplot failed");
  EXPECT_FALSE(fs::exists(dir / "x.png"));
  EXPECT_EQ(remove_stale_temporaries(dir.path()), 0);  // and no temporary of its own left
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1);
}

TEST(InfoTest, ConfigOfARunFolderAndOfACheckpoint) {
  TempDir dir("info");
  testing::fit(testing::moons_config(1), dir);
  const nlohmann::json resolved = testing::read_json_file(dir / "run" / "config.json");
  EXPECT_EQ(config_of(dir / "run"), resolved);
  EXPECT_EQ(config_of(dir / "run" / "last.ckpt"), resolved);
  EXPECT_TRUE(contains(describe_config((dir / "run" / "last.ckpt").string(), {}), "parameters"));
  EXPECT_THROW(config_of(dir.path() / "nothing-here"), ConfigError);
}

}  // namespace
}  // namespace dither
