#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "run_testing.h"
#include "train/checkpoint.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::contains;
using testing::kNoPlot;
using testing::Outcome;
using testing::quoted;

// metrics.csv without its seconds column (the last): what two runs of one config share bitwise.
std::string metrics_without_time(const fs::path& file) {
  std::istringstream text(testing::slurp(file));
  std::string out;
  for (std::string line; std::getline(text, line);) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// summary.json without its timings.
nlohmann::json summary_without_time(const fs::path& file) {
  nlohmann::json summary = testing::read_json_file(file);
  summary["train"].erase("seconds");
  summary["train"].erase("samples_per_second");
  return summary;
}

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (contains(name, ".tmp-")) found.push_back(name);
  }
  return found;
}

class CrashTest : public CliTest {
 protected:
  // No gnuplot (PATH leads nowhere): a plot per run would triple the test's time.

  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped()) return;
    config_ = config_file(testing::moons_config(2));
    ASSERT_EQ(
        dither("train " + config_ + " --out " + quoted(run("whole")) + " --quiet", kNoPlot).status,
        0);
  }

  // `dither train` into `out`, killed at its crash point k (0: not killed).
  Outcome start(const fs::path& out, int k) const {
    return dither("train " + config_ + " --out " + quoted(out) + " --quiet",
                  std::string(kNoPlot) + (k > 0 ? " DITHER_CRASH_AT=" + std::to_string(k) : ""));
  }
  Outcome resume(const fs::path& out, int k) const {
    return dither("train --resume " + quoted(out) + " --quiet",
                  std::string(kNoPlot) + (k > 0 ? " DITHER_CRASH_AT=" + std::to_string(k) : ""));
  }

  // Resumes `out` to the end (starting it again when the kill came before config.json existed)
  // and checks it against the uninterrupted run.
  void finish_and_compare(const fs::path& out, const std::string& what) const {
    Outcome r = resume(out, 0);
    if (r.status == 2 && !fs::exists(out / "config.json")) {
      EXPECT_TRUE(contains(r.err, "holds no run to resume")) << what << r.err;
      r = start(out, 0);
    }
    ASSERT_EQ(r.status, 0) << what << ": " << r.err;
    const fs::path whole = run("whole");
    EXPECT_TRUE(testing::same_tensors(load_checkpoint(whole / "last.ckpt"),
                                      load_checkpoint(out / "last.ckpt")))
        << what;
    EXPECT_TRUE(testing::same_tensors(load_checkpoint(whole / "best.ckpt"),
                                      load_checkpoint(out / "best.ckpt")))
        << what;
    EXPECT_EQ(metrics_without_time(whole / "metrics.csv"),
              metrics_without_time(out / "metrics.csv"))
        << what;
    EXPECT_EQ(summary_without_time(whole / "summary.json"),
              summary_without_time(out / "summary.json"))
        << what;
    EXPECT_EQ(testing::slurp(whole / "config.json"), testing::slurp(out / "config.json")) << what;
    EXPECT_TRUE(temporaries(out).empty()) << what << ": " << temporaries(out).front();
  }

  std::string config_;
};

// SIGKILL at each crash point of a whole run (between steps; inside the writes of
// config.json, metrics.csv, best.ckpt, last.ckpt and summary.json: half written, written but not
// renamed, renamed), then a resume: every time the same weights and files as a run never killed.
TEST_F(CrashTest, KilledAnywhereAndResumedEndsBitwiseAsTheUninterruptedRun) {
  int kills = 0;
  int with_temporary = 0;
  for (int k = 1; k < 200; ++k) {
    const fs::path out = run(std::to_string(k) + "-killed");
    const Outcome killed = start(out, k);
    if (killed.status == 0) break;  // past the last crash point
    ASSERT_EQ(killed.signal, 9) << "k=" << k << ": " << killed.status << " " << killed.err;
    ++kills;
    with_temporary += temporaries(out).empty() ? 0 : 1;
    finish_and_compare(out, "killed at crash point " + std::to_string(k));
    fs::remove_all(out);
  }
  EXPECT_GE(kills, 40);
  std::printf("%d kills, %d of them left a temporary\n", kills, with_temporary);
  EXPECT_GE(with_temporary, 8);  // kills inside writes did leave temporaries, and they went
}

// Killed again and again in the same folder, resumed each time.
TEST_F(CrashTest, KilledRepeatedlyWhileResumingEndsBitwiseAsTheUninterruptedRun) {
  const fs::path out = run("chain");
  ASSERT_EQ(start(out, 10).signal, 9);  // in epoch 1: no checkpoint yet
  int kills = 1;
  // Epoch 1's last.ckpt renamed; a step of epoch 2; inside epoch 2's checkpoint writes; after
  // them; inside the finished run's summary.json.
  for (int k : {24, 9, 20, 26, 8}) {
    const Outcome killed = resume(out, k);
    if (killed.status == 0) break;
    ASSERT_EQ(killed.signal, 9) << "k=" << k << ": " << killed.status << " " << killed.err;
    ++kills;
  }
  EXPECT_GE(kills, 5);
  finish_and_compare(out, "killed " + std::to_string(kills) + " times");
}

}  // namespace
}  // namespace dither
