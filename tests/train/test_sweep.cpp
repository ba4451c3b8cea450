#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "run_testing.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::contains;
using testing::Outcome;
using testing::quoted;
using testing::read_json_file;
using testing::slurp;

using testing::kNoPlot;

// One CSV line's cells, double-quoted cells unquoted.
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted_cell = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted_cell && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted_cell = !quoted_cell;
    } else if (c == ',' && !quoted_cell) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// sweep.csv's rows as maps from column name to cell.
std::vector<std::map<std::string, std::string>> sweep_rows(const fs::path& dir) {
  std::istringstream text(slurp(dir / "sweep.csv"));
  std::string line;
  std::getline(text, line);
  const std::vector<std::string> names = csv_cells(line);
  std::vector<std::map<std::string, std::string>> out;
  while (std::getline(text, line)) {
    const std::vector<std::string> cells = csv_cells(line);
    EXPECT_EQ(cells.size(), names.size()) << line;
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < names.size() && i < cells.size(); ++i) row[names[i]] = cells[i];
    out.push_back(row);
  }
  return out;
}

std::set<std::string> point_folders(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir / "points")) return names;
  for (const auto& entry : fs::directory_iterator(dir / "points"))
    names.insert(entry.path().filename().string());
  return names;
}

class SweepTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped()) return;
    nlohmann::json c = testing::moons_config(2);
    c["data"]["train_size"] = 200;
    c["data"]["test_size"] = 100;
    config_ = config_file(c);
  }

  Outcome sweep(const std::string& args, const std::string& env = kNoPlot) const {
    return dither("sweep " + config_ + " " + args, env);
  }

  std::string config_;
};

TEST_F(SweepTest, TrainsTheGridTimesTheSeedsPicksTheBestAndSkipsFinishedPointsWhenRunAgain) {
  const fs::path out = run("sweep");
  const std::string args =
      "--grid optimizer.lr=0,0.1 --seeds 2 --metric val_loss --out " + quoted(out);
  const Outcome first = sweep(args);
  ASSERT_EQ(first.status, 0) << first.err;
  const auto rows = sweep_rows(out);
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::string, std::vector<double>> val_loss;
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("status"), "finished");
    const fs::path point = out / "points" / row.at("point");
    // The point's own run: its resolved config holds the swept value and the seed, and the row
    // holds its summary's numbers.
    const nlohmann::json config = read_json_file(point / "config.json");
    EXPECT_DOUBLE_EQ(config["optimizer"]["lr"].get<double>(), std::stod(row.at("optimizer.lr")));
    EXPECT_EQ(config["seed"].get<std::int64_t>(), std::stoll(row.at("seed")));
    const nlohmann::json summary = read_json_file(point / "summary.json");
    EXPECT_NEAR(std::stod(row.at("test_accuracy")), summary["test"]["accuracy"].get<double>(),
                1e-9);
    EXPECT_NEAR(std::stod(row.at("test_ece")), summary["test"]["ece"].get<double>(), 1e-9);
    val_loss[row.at("optimizer.lr")].push_back(std::stod(row.at("val_loss")));
  }
  std::set<std::string> seeds;
  for (const auto& row : rows) seeds.insert(row.at("optimizer.lr") + "/" + row.at("seed"));
  EXPECT_EQ(seeds, (std::set<std::string>{"0/7", "0/8", "0.1/7", "0.1/8"}));

  // lr = 0 does not train, so its validation loss stays the untrained one: the best is lr 0.1.
  const nlohmann::json best = read_json_file(out / "best.json");
  EXPECT_EQ(best["goal"], "min");
  EXPECT_DOUBLE_EQ(best["best"]["values"]["optimizer.lr"].get<double>(), 0.1);
  EXPECT_NEAR(best["best"]["mean"].get<double>(), (val_loss["0.1"][0] + val_loss["0.1"][1]) / 2,
              1e-9);
  EXPECT_EQ(best["ranking"].size(), 2u);

  const fs::path summary = out / "points" / rows[0].at("point") / "summary.json";
  const std::string before = slurp(summary);
  const auto written = fs::last_write_time(summary);
  const Outcome again = sweep(args);
  ASSERT_EQ(again.status, 0) << again.err;
  for (const auto& row : rows)
    EXPECT_TRUE(contains(again.out, row.at("point") + ": finished before, skipped")) << again.out;
  EXPECT_EQ(fs::last_write_time(summary), written);
  EXPECT_EQ(slurp(summary), before);

  // The same folder with another grid is refused, naming what differs.
  const Outcome other = sweep("--grid optimizer.lr=0,0.2 --seeds 2 --out " + quoted(out));
  EXPECT_EQ(other.status, 2);
  EXPECT_TRUE(contains(other.err, "/grids/0/values")) << other.err;
}

// Killed by SIGKILL inside the second of three points; run again, the first point is not
// trained again (its files untouched) and the second resumes from its checkpoint (its first
// epoch's row, timing included, survives): no point trained twice.
TEST_F(SweepTest, KilledSweepResumesWithNoPointTrainedTwice) {
  nlohmann::json c = testing::moons_config(3);
  c["data"]["train_size"] = 200;
  c["data"]["test_size"] = 100;
  config_ = config_file(c);
  const fs::path out = run("killed");
  const std::string args = "--grid optimizer.lr=0.05,0.1,0.2 --out " + quoted(out);
  const Outcome killed = sweep(args, std::string(kNoPlot) + " DITHER_CRASH_AT=115");
  ASSERT_EQ(killed.signal, 9) << killed.status << " " << killed.err;
  const fs::path first = out / "points" / "optimizer.lr=0.05,seed=7";
  const fs::path second = out / "points" / "optimizer.lr=0.1,seed=7";
  ASSERT_TRUE(fs::exists(first / "summary.json"));
  ASSERT_TRUE(fs::exists(second / "last.ckpt"));
  ASSERT_FALSE(fs::exists(second / "summary.json"));
  ASSERT_FALSE(fs::exists(out / "points" / "optimizer.lr=0.2,seed=7"));
  const std::string first_metrics = slurp(first / "metrics.csv");
  const std::string first_summary = slurp(first / "summary.json");
  const std::string second_rows = slurp(second / "metrics.csv");
  ASSERT_GT(std::count(second_rows.begin(), second_rows.end(), '\n'), 1) << second_rows;

  const Outcome resumed = sweep(args);
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_TRUE(contains(resumed.out, "optimizer.lr=0.05,seed=7: finished before, skipped"));
  EXPECT_EQ(slurp(first / "metrics.csv"), first_metrics);
  EXPECT_EQ(slurp(first / "summary.json"), first_summary);
  const std::string second_after = slurp(second / "metrics.csv");
  EXPECT_EQ(second_after.substr(0, second_rows.size()), second_rows);
  EXPECT_EQ(std::count(second_after.begin(), second_after.end(), '\n'), 4);  // header + 3 epochs
  EXPECT_EQ(sweep_rows(out).size(), 3u);
}

TEST_F(SweepTest, ShardsCoverTheGridOnceAndCollectMergesOnlyTheWholeSweep) {
  const std::string args = "--grid optimizer.lr=0.05,0.1,0.2 --seeds 2";
  const fs::path a = run("shard-a");
  const fs::path b = run("shard-b");
  const Outcome one = sweep(args + " --shard 1/2 --out " + quoted(a));
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_TRUE(contains(one.out, "--collect")) << one.out;
  EXPECT_FALSE(fs::exists(a / "sweep.csv"));

  // Only one shard: collect names what is missing.
  const Outcome partial = dither("sweep --collect " + quoted(a), kNoPlot);
  EXPECT_EQ(partial.status, 2);
  EXPECT_TRUE(contains(partial.err, "3 of 6 points")) << partial.err;
  EXPECT_TRUE(contains(partial.err, "optimizer.lr=0.05,seed=8")) << partial.err;

  ASSERT_EQ(sweep(args + " --shard 2/2 --out " + quoted(b)).status, 0);
  const std::set<std::string> in_a = point_folders(a);
  const std::set<std::string> in_b = point_folders(b);
  EXPECT_EQ(in_a.size(), 3u);
  EXPECT_EQ(in_b.size(), 3u);
  std::set<std::string> all = in_a;
  all.insert(in_b.begin(), in_b.end());
  EXPECT_EQ(all.size(), 6u);  // disjoint, and together the whole grid

  const fs::path merged = run("merged");
  const Outcome collected = dither(
      "sweep --collect " + quoted(a) + " " + quoted(b) + " --out " + quoted(merged), kNoPlot);
  ASSERT_EQ(collected.status, 0) << collected.err;
  std::set<std::string> rows;
  for (const auto& row : sweep_rows(merged)) rows.insert(row.at("point"));
  EXPECT_EQ(rows, all);
  EXPECT_TRUE(fs::exists(merged / "best.json"));

  // A folder of another sweep is refused, naming it.
  const fs::path other = run("other");
  ASSERT_EQ(sweep("--grid optimizer.lr=0.3 --out " + quoted(other)).status, 0);
  const Outcome mixed = dither("sweep --collect " + quoted(a) + " " + quoted(other), kNoPlot);
  EXPECT_EQ(mixed.status, 2);
  EXPECT_TRUE(contains(mixed.err, other.string() + ": holds a different sweep")) << mixed.err;
}

TEST_F(SweepTest, ARobustnessSuiteAddsItsColumnsAndCanBeTheMetric) {
  testing::write_text(dir_ / "suite.json", R"({"attacks": [{"type": "fgsm", "eps": [0.1]}]})");
  const fs::path out = run("suite");
  const Outcome r =
      sweep("--grid optimizer.lr=0.05,0.2 --robustness " + quoted(dir_ / "suite.json") +
            " --metric robust_fgsm_0.1 --out " + quoted(out));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = sweep_rows(out);
  ASSERT_EQ(rows.size(), 2u);
  double best = -1;
  for (const auto& row : rows) {
    const nlohmann::json measured = read_json_file(out / "points" / row.at("point") / "robustness" /
                                                   "suite" / "robustness.json");
    const double accuracy = measured["robust_accuracy"]["fgsm"]["0.1"];
    EXPECT_NEAR(std::stod(row.at("robust_fgsm_0.1")), accuracy, 1e-9);
    best = std::max(best, accuracy);
  }
  const nlohmann::json picked = read_json_file(out / "best.json");
  EXPECT_EQ(picked["metric"], "robust_fgsm_0.1");
  EXPECT_EQ(picked["goal"], "max");
  EXPECT_NEAR(picked["best"]["mean"].get<double>(), best, 1e-9);
}

TEST_F(SweepTest, FailedPointsAreRecordedAndTheSweepGoesOn) {
  const fs::path out = run("failing");
  const Outcome r = sweep("--grid optimizer.lr=-1,0.1,1e30 --out " + quoted(out));
  EXPECT_EQ(r.status, 1) << r.err;  // a diverged point: an internal failure, not bad input
  const auto rows = sweep_rows(out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("status"), "failed");
  EXPECT_TRUE(contains(rows[0].at("error"), "optimizer.lr")) << rows[0].at("error");
  EXPECT_EQ(rows[1].at("status"), "finished");
  EXPECT_EQ(rows[2].at("status"), "failed");
  EXPECT_TRUE(contains(rows[2].at("error"), "diverged")) << rows[2].at("error");
  EXPECT_TRUE(contains(r.err, "2 of 3 points failed")) << r.err;
  const nlohmann::json best = read_json_file(out / "best.json");
  EXPECT_DOUBLE_EQ(best["best"]["values"]["optimizer.lr"].get<double>(), 0.1);
}

TEST_F(SweepTest, BadArgumentsExitTwoNamingTheArgument) {
  const fs::path out = run("bad");
  for (const auto& [args, named] : std::vector<std::pair<std::string, std::string>>{
           {"--grid optimizer.lr", "--grid optimizer.lr: expected"},
           {"--grid 'optimizer.lr=0.1,,0.2'", "empty value"},
           {"--grid seed=1,2", "--seeds"},
           {"--grid optimizer.lr=0.1 --shard 3/2", "--shard 3/2"},
           {"--grid optimizer.lr=0.1 --metric accuracy", "--metric accuracy"},
           {"--grid optimizer.lr=0.1 --seeds 0", "--seeds 0"}}) {
    const Outcome r = sweep(args + " --out " + quoted(out));
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_TRUE(contains(r.err, named)) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(out / "points")) << args;
  }
  // A folder holding a run, not a sweep, is refused.
  ASSERT_EQ(
      dither("train " + config_ + " --out " + quoted(run("a-run")) + " --quiet", kNoPlot).status,
      0);
  const Outcome taken = sweep("--grid optimizer.lr=0.1 --out " + quoted(run("a-run")));
  EXPECT_EQ(taken.status, 2);
  EXPECT_TRUE(contains(taken.err, "not a sweep")) << taken.err;
}

}  // namespace
}  // namespace dither
