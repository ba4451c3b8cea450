#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_testing.h"
#include "run_testing.h"
#include "train/checkpoint.h"
#include "train/run_folder.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::contains;
using testing::csv_rows;
using testing::Outcome;
using testing::quoted;

// The metrics.csv text without its last line.
std::string without_last_row(const std::string& text) {
  const auto end = text.rfind('\n', text.size() - 2);
  return text.substr(0, end + 1);
}

TEST_F(CliTest, AnEmptyTrainingOrTestSetIsRefusedWithTheSizes) {
  nlohmann::json config = testing::moons_config(1);
  config["data"]["validation_split"] = 0.999;
  Outcome r = dither("train " + config_file(config) + " --out " + quoted(run("a")));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "no training samples")) << r.err;
  EXPECT_TRUE(contains(r.err, "(training 0, validation 400, test 200 samples)")) << r.err;

  // A CSV with test_split 0 and no test file held out nothing: its test metrics were 0%.
  const fs::path csv = dir_.path() / "table.csv";
  std::ofstream(csv) << "x,label\n0.1,a\n0.9,b\n0.2,a\n0.8,b\n0.3,a\n0.7,b\n";
  config = testing::moons_config(1);
  config["data"] = {{"name", "csv"}, {"path", csv.string()}, {"test_split", 0.0}};
  r = dither("train " + config_file(config) + " --out " + quoted(run("b")));
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "data: the test set is empty")) << r.err;
  EXPECT_FALSE(fs::exists(run("b") / "summary.json"));
}

TEST_F(CliTest, ResumeOfAFinishedRunRestoresATruncatedMetricsCsv) {
  const fs::path out = run("done");
  ASSERT_EQ(dither("train " + config_file(testing::moons_config(2)) + " --out " + quoted(out) +
                   " --quiet")
                .status,
            0);
  const std::string metrics = testing::slurp(out / "metrics.csv");
  const std::string summary = testing::slurp(out / "summary.json");
  // A kill between last.ckpt and metrics.csv in the last epoch leaves this.
  testing::write_text(out / "metrics.csv", without_last_row(metrics));
  fs::remove(out / "summary.json");
  const Outcome r = dither("train --resume " + quoted(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(testing::slurp(out / "metrics.csv"), metrics);
  const nlohmann::json again = testing::read_json_file(out / "summary.json");
  EXPECT_EQ(again["test"], nlohmann::json::parse(summary)["test"]);
}

TEST_F(CliTest, DivergedValidationExitsOneNamingTheSet) {
  // The reported case: a training loss of 1e35 still finite, the validation outputs overflow.
  if (!fs::exists(testing::kFashionMnist)) GTEST_SKIP() << testing::kFashionMnist << " missing";
  const fs::path config =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path().parent_path() /
      "examples/configs/fashion_mnist_mlp.json";
  ASSERT_TRUE(fs::exists(config)) << config;
  const Outcome r = dither("train " + quoted(config) +
                           " --set optimizer.lr=100 --set train.epochs=1 --set "
                           "data.limit_train=2000 --out " +
                           quoted(run("r")) + " --quiet");
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "diverged in epoch 1 (validation set)")) << r.err;
  EXPECT_FALSE(contains(r.out, "test accuracy")) << r.out;
  EXPECT_FALSE(fs::exists(run("r") / "summary.json"));
}

TEST_F(CliTest, SigtermStopsAtAStepBoundaryAndTheRunResumesToTheSameWeights) {
  const std::string config = config_file(testing::moons_config(2));
  ASSERT_EQ(dither("train " + config + " --out " + quoted(run("whole")) + " --quiet").status, 0);
  // Crash points: 3 for config.json, 3 for metrics.csv, then one per step (12 an epoch), 3 per
  // file written after an epoch. 30 is a step of epoch 2, after epoch 1's files.
  for (const auto& [signal, status] : {std::pair{15, 143}, std::pair{2, 130}}) {
    const fs::path out = run("split-" + std::to_string(signal));
    const Outcome stopped =
        dither("train " + config + " --out " + quoted(out) + " --quiet",
               "DITHER_CRASH_AT=30 DITHER_CRASH_SIGNAL=" + std::to_string(signal));
    ASSERT_EQ(stopped.status, status) << stopped.err;
    EXPECT_TRUE(contains(stopped.err, signal == 15 ? "stopped by SIGTERM in epoch 2 (dropped)"
                                                   : "stopped by SIGINT in epoch 2 (dropped)"))
        << stopped.err;
    EXPECT_TRUE(contains(stopped.err, "dither train --resume " + out.string())) << stopped.err;
    EXPECT_EQ(load_checkpoint(out / "last.ckpt").meta.at("epochs_done"), 1);
    std::string header;
    EXPECT_EQ(csv_rows(out / "metrics.csv", &header).size(), 1u);
    ASSERT_EQ(dither("train --resume " + quoted(out) + " --quiet").status, 0);
    EXPECT_TRUE(testing::same_tensors(load_checkpoint(run("whole") / "last.ckpt"),
                                      load_checkpoint(out / "last.ckpt")));
  }
}

TEST_F(CliTest, RunKilledBeforeItsFirstCheckpointResumesAfresh) {
  const std::string config = config_file(testing::moons_config(1));
  ASSERT_EQ(dither("train " + config + " --out " + quoted(run("whole")) + " --quiet").status, 0);
  const fs::path out = run("early");
  const Outcome killed =
      dither("train " + config + " --out " + quoted(out) + " --quiet", "DITHER_CRASH_AT=8");
  ASSERT_EQ(killed.signal, 9) << killed.status << killed.err;
  ASSERT_TRUE(fs::exists(out / "config.json"));
  ASSERT_FALSE(fs::exists(out / "last.ckpt"));
  const Outcome r = dither("train --resume " + quoted(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(testing::same_tensors(load_checkpoint(run("whole") / "last.ckpt"),
                                    load_checkpoint(out / "last.ckpt")));
}

TEST_F(CliTest, OutFolderHoldingAnotherRunIsRefused) {
  const fs::path out = run("taken");
  ASSERT_EQ(dither("train " + config_file(testing::moons_config(1)) + " --out " + quoted(out) +
                   " --quiet")
                .status,
            0);
  const std::string checkpoint = testing::slurp(out / "last.ckpt");
  nlohmann::json other = testing::moons_config(1);
  other["seed"] = 3;
  const Outcome r = dither("train " + config_file(other, "other") + " --out " + quoted(out));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, out.string() + ": holds another run")) << r.err;
  EXPECT_EQ(testing::slurp(out / "last.ckpt"), checkpoint);
}

TEST_F(CliTest, AFolderBeingTrainedInIsRefused) {
  const fs::path out = run("busy");
  fs::create_directories(out);
  const FolderLock lock(out);  // as a running dither process holds it
  const Outcome r = dither("train " + config_file(testing::moons_config(1)) + " --out " +
                           quoted(out) + " --quiet");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, out.string() + ": another dither process is training")) << r.err;
  EXPECT_FALSE(fs::exists(out / "config.json"));
  EXPECT_EQ(dither("train --resume " + quoted(out) + " --quiet").status, 2);
}

TEST_F(CliTest, ResumeRefusesAConfigAndExtendsWithTrainEpochsOnly) {
  const std::string config = config_file(testing::moons_config(2));
  const fs::path out = run("extend");
  ASSERT_EQ(dither("train " + config + " --out " + quoted(out) + " --quiet").status, 0);
  const Outcome both = dither("train " + config + " --resume " + quoted(out));
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(contains(both.err, "--resume continues a run with the config it was started with"))
      << both.err;
  const Outcome other = dither("train --resume " + quoted(out) + " --set optimizer.lr=1");
  EXPECT_EQ(other.status, 2);
  EXPECT_TRUE(contains(other.err, "only train.epochs=N")) << other.err;
  EXPECT_EQ(dither("train --resume " + quoted(out) + " --set train.epochs=1").status, 2);

  const Outcome extended =
      dither("train --resume " + quoted(out) + " --set train.epochs=3 --quiet");
  ASSERT_EQ(extended.status, 0) << extended.err;
  EXPECT_TRUE(contains(extended.out, "(3 epochs)")) << extended.out;
  std::string header;
  EXPECT_EQ(csv_rows(out / "metrics.csv", &header).size(), 3u);
  EXPECT_EQ(testing::read_json_file(out / "config.json")["train"]["epochs"], 3);
  // The step schedule does not depend on the total: bitwise a 3-epoch run.
  ASSERT_EQ(dither("train " + config_file(testing::moons_config(3), "three") + " --out " +
                   quoted(run("three")) + " --quiet")
                .status,
            0);
  EXPECT_TRUE(testing::same_tensors(load_checkpoint(run("three") / "last.ckpt"),
                                    load_checkpoint(out / "last.ckpt")));
}

TEST_F(CliTest, WithoutGnuplotTheRunSucceedsAndSaysSo) {
  const fs::path out = run("noplot");
  const Outcome r = dither(
      "train " + config_file(testing::moons_config(2)) + " --out " + quoted(out) + " --quiet",
      testing::kNoPlot);
  ASSERT_EQ(r.status, 0) << r.signal << r.err;
  EXPECT_TRUE(contains(r.out, "no curves.png: gnuplot is not installed")) << r.out;
  EXPECT_FALSE(contains(r.out, "curves.png,")) << r.out;
  EXPECT_FALSE(fs::exists(out / "curves.png"));
  EXPECT_TRUE(fs::exists(out / "summary.json"));
}

// A tmpfs of `kilobytes` mounted on `dir` while alive (needs root); mounted() says whether it is.
class TinyDisk {
 public:
  TinyDisk(const fs::path& dir, int kilobytes) : dir_(dir) {
    fs::create_directories(dir);
    const std::string command = "mount -t tmpfs -o size=" + std::to_string(kilobytes) + "k tmpfs " +
                                quoted(dir) + " 2>/dev/null";
    mounted_ = std::system(command.c_str()) == 0;
  }
  ~TinyDisk() {
    if (mounted_) std::system(("umount " + quoted(dir_)).c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

TEST_F(CliTest, AFullDiskFailsClearlyAndKeepsTheLastGoodCheckpoint) {
  // Checkpoints of about 160 kB (20k parameters and their momentum): epoch 1's best.ckpt and
  // last.ckpt fit in 400 kB, epoch 2's temporary beside them does not.
  nlohmann::json config = testing::moons_config(3);
  config["model"]["layers"] = {
      {{"type", "linear"}, {"out", 4096}}, {{"type", "relu"}}, {{"type", "linear"}, {"out", 2}}};
  const TinyDisk disk(run("disk"), 400);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const fs::path out = run("disk") / "run";
  const Outcome r = dither("train " + config_file(config) + " --out " + quoted(out) + " --quiet",
                           testing::kNoPlot);
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "No space left on device")) << r.err;
  EXPECT_TRUE(contains(r.err, "the disk is full; the previous file is kept")) << r.err;
  EXPECT_EQ(load_checkpoint(out / "last.ckpt").meta.at("epochs_done"), 1);
  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp-")) << entry.path();
}

TEST_F(CliTest, DefaultConfigIsFoundBesideAnInstalledExecutable) {
  // PREFIX/bin/dither and PREFIX/share/dither/examples/configs/fashion_mnist_mlp.json, run from
  // a folder with no examples in it.
  const fs::path prefix = run("prefix");
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share/dither/examples/configs");
  fs::copy_file(testing::dither_binary(), prefix / "bin" / "dither");
  nlohmann::json config = testing::moons_config(1);
  config["description"] = "the installed copy";
  testing::write_text(prefix / "share/dither/examples/configs/fashion_mnist_mlp.json",
                      config.dump());
  const fs::path out = run("default-run");
  const std::string command = "cd " + quoted(run("")) + " && " + quoted(prefix / "bin" / "dither") +
                              " train --out " + quoted(out) + " --quiet >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_EQ(testing::read_json_file(out / "config.json")["description"], "the installed copy");
}

TEST_F(CliTest, InfoDescribesARunFolderAndACheckpoint) {
  const fs::path out = run("described");
  ASSERT_EQ(dither("train " + config_file(testing::moons_config(1)) + " --out " + quoted(out) +
                   " --quiet")
                .status,
            0);
  for (const fs::path& target : {out, out / "last.ckpt"}) {
    const Outcome r = dither("info " + quoted(target));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(contains(r.out, " parameters")) << r.out;
  }
  const Outcome one = dither("train --resume " + quoted(out) + " --quiet");
  EXPECT_TRUE(contains(one.out, "(1 epoch)")) << one.out;
}

}  // namespace
}  // namespace dither
