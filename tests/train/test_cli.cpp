#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "run_testing.h"
#include "train/checkpoint.h"
#include "train/experiment.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::contains;
using testing::csv_rows;
using testing::Outcome;
using testing::quoted;
using testing::TempDir;

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
  return text;
}

TEST_F(CliTest, HelpListsTheSubcommands) {
  const Outcome r = dither("--help");
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* command : {"\n  train ", "\n  eval ", "\n  info ", "\n  show "}) {
    EXPECT_TRUE(contains(r.out, command)) << r.out;
  }
  const Outcome train = dither("train --help");
  EXPECT_EQ(train.status, 0);
  EXPECT_TRUE(contains(train.out, "--resume")) << train.out;
  EXPECT_FALSE(contains(train.out, "--stop-after")) << train.out;  // a hidden testing aid
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  const Outcome r = dither("--version");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "dither ")) << r.out;
  EXPECT_NE(r.out.find_first_of("0123456789"), std::string::npos) << r.out;
}

TEST_F(CliTest, MisspeltKeyNamesTheJsonPathAndSuggestsTheKey) {
  nlohmann::json config = testing::moons_config(1);
  config["train"]["epocs"] = config["train"]["epochs"];
  config["train"].erase("epochs");
  const Outcome r = dither("train " + config_file(config) + " --out " + quoted(run("r")));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "train.epocs")) << r.err;
  EXPECT_TRUE(contains(r.err, "did you mean 'epochs'")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one clear line
  EXPECT_FALSE(fs::exists(run("r") / "last.ckpt"));
}

TEST_F(CliTest, WrongTypeNamesTheJsonPath) {
  nlohmann::json config = testing::moons_config(1);
  config["train"]["epochs"] = "ten";
  const Outcome r = dither("train " + config_file(config) + " --out " + quoted(run("r")));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "train.epochs")) << r.err;
  EXPECT_TRUE(contains(r.err, "\"ten\"")) << r.err;
}

TEST_F(CliTest, MalformedJsonNamesTheFileLineAndColumn) {
  const std::string file =
      config_file_text("{\n  \"seed\": 1,\n  \"data\": {\"name\": \"moons\",}\n}\n");
  const Outcome r = dither("train " + file + " --out " + quoted(run("r")));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, (dir_.path() / "text.json").string() + ":3:")) << r.err;
}

TEST_F(CliTest, MissingDataFileNamesTheFile) {
  nlohmann::json config = testing::moons_config(1);
  config["data"] = {{"name", "fashion-mnist"}, {"path", (dir_.path() / "nowhere").string()}};
  config["model"]["layers"].insert(config["model"]["layers"].begin(), {{"type", "flatten"}});
  const Outcome r = dither("train " + config_file(config) + " --out " + quoted(run("r")));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, (dir_.path() / "nowhere").string())) << r.err;
  EXPECT_TRUE(contains(r.err, "idx")) << r.err;
}

TEST_F(CliTest, UnknownSubcommandOrOptionExitsTwo) {
  EXPECT_EQ(dither("frobnicate").status, 2);
  EXPECT_EQ(dither("").status, 2);
  EXPECT_EQ(dither("train " + config_file(testing::moons_config(1)) + " --frobnicate").status, 2);
  EXPECT_EQ(dither("eval").status, 2);  // the target is required
  EXPECT_EQ(dither("eval " + quoted(run("no-such-run"))).status, 2);
}

TEST_F(CliTest, CertifyRefusesANanOrInfiniteSigmaOrAlphaBeforeReadingTheRun) {
  for (const std::string bad : {"--sigma nan", "--sigma inf", "--sigma 0",
                                "--sigma 0.25 --alpha nan", "--sigma 0.25 --alpha 0.6"}) {
    const Outcome r = dither("certify " + quoted(run("no-such-run")) + " " + bad);
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_TRUE(contains(r.err, "is not a finite number in")) << bad << ": " << r.err;
  }
}

TEST_F(CliTest, TrainWritesTheRunFolderAndEvalAgreesWithTheSummary) {
  const fs::path out = run("small");
  const Outcome r = dither("train " + config_file(testing::moons_config(3)) + " --out " +
                           quoted(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;  // --quiet: only the result, on stdout

  const nlohmann::json resolved = testing::read_json_file(out / "config.json");
  EXPECT_EQ(resolved["train"]["epochs"], 3);
  EXPECT_TRUE(resolved["train"].contains("clip_grad_norm"));  // defaults written down
  EXPECT_TRUE(resolved["optimizer"].contains("weight_decay"));
  EXPECT_TRUE(resolved["data"].contains("validation_split"));
  EXPECT_TRUE(resolved["noise"][0].contains("p"));
  EXPECT_TRUE(resolved["loss"].contains("type"));
  EXPECT_NO_THROW(build_experiment(resolved));  // and it is a config in its own right

  std::string header;
  const auto rows = csv_rows(out / "metrics.csv", &header);
  EXPECT_EQ(header, "epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,seconds");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 7u);
    EXPECT_EQ(rows[i][0], std::to_string(i + 1));
  }

  const nlohmann::json summary = testing::read_json_file(out / "summary.json");
  for (const char* key : {"accuracy", "loss", "ece"}) EXPECT_TRUE(summary["test"][key].is_number());
  EXPECT_EQ(summary["train"]["epochs"], 3);
  EXPECT_TRUE(summary["train"]["seconds"].is_number());
  EXPECT_GT(summary["train"]["samples_per_second"].get<double>(), 0.0);
  EXPECT_NO_THROW(load_checkpoint(out / "last.ckpt"));
  EXPECT_NO_THROW(load_checkpoint(out / "best.ckpt"));
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    EXPECT_TRUE(fs::exists(out / "curves.png"));
  }
  const std::string accuracy = percent(summary["test"]["accuracy"].get<double>());
  EXPECT_TRUE(contains(r.out, "test accuracy " + accuracy)) << r.out;

  const Outcome e = dither("eval " + quoted(out));
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_TRUE(contains(e.out, "test accuracy " + accuracy)) << e.out;
  // The last weights' figures, as `dither eval last.ckpt` measures them.
  const Outcome last = dither("eval " + quoted(out / "last.ckpt") + " --out " + quoted(run("e")));
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_TRUE(contains(last.out,
                       "test accuracy " + percent(summary["test_last"]["accuracy"].get<double>())))
      << last.out;
}

TEST_F(CliTest, InfoPrintsTheParameterCount) {
  const nlohmann::json config = testing::moons_config(1);
  std::int64_t parameters = 0;
  for (const Tensor& p : build_experiment(config).model->parameters()) parameters += p.numel();
  ASSERT_LT(parameters, 1000);  // printed without digit grouping
  const Outcome r = dither("info " + config_file(config));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, std::to_string(parameters) + " parameters")) << r.out;
  EXPECT_TRUE(contains(r.out, "linear")) << r.out;
}

TEST_F(CliTest, ShowDrawsThePictureAndNamesABadHook) {
  nlohmann::json config = testing::moons_config(1);
  const fs::path png = run("show.png");
  const Outcome r = dither("show " + config_file(config) + " --out " + quoted(png));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "show.png")) << r.out;
  EXPECT_EQ(testing::slurp(png).substr(1, 3), "PNG");
  config["noise"][0]["sigmaa"] = 1;
  const Outcome bad = dither("show " + config_file(config, "bad") + " --out " + quoted(png));
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(contains(bad.err, "noise[0].sigmaa")) << bad.err;
}

TEST_F(CliTest, SetOverridesAConfigValue) {
  const fs::path out = run("one");
  const Outcome r =
      dither("train " + config_file(testing::moons_config(3)) +
             " --set train.epochs=1 --set noise.0.sigma=0.2 --out " + quoted(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;  // result and folder
  std::string header;
  EXPECT_EQ(csv_rows(out / "metrics.csv", &header).size(), 1u);
  const nlohmann::json resolved = testing::read_json_file(out / "config.json");
  EXPECT_EQ(resolved["train"]["epochs"], 1);
  EXPECT_EQ(resolved["noise"][0]["sigma"], 0.2);
  EXPECT_EQ(
      dither("train " + config_file(testing::moons_config(1)) + " --set train.epochs=zero").status,
      2);
}

TEST_F(CliTest, ResumeOfAFinishedRunTrainsNoMore) {
  const fs::path out = run("done");
  ASSERT_EQ(dither("train " + config_file(testing::moons_config(2)) + " --out " + quoted(out) +
                   " --quiet")
                .status,
            0);
  const std::string checkpoint = testing::slurp(out / "last.ckpt");
  const std::string metrics = testing::slurp(out / "metrics.csv");
  const Outcome r = dither("train --resume " + quoted(out) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(testing::slurp(out / "last.ckpt"), checkpoint);
  EXPECT_EQ(testing::slurp(out / "metrics.csv"), metrics);
}

TEST_F(CliTest, InterruptedRunResumesToTheSameWeights) {
  const std::string config = config_file(testing::moons_config(2));
  ASSERT_EQ(dither("train " + config + " --out " + quoted(run("whole")) + " --quiet").status, 0);
  ASSERT_EQ(dither("train " + config + " --out " + quoted(run("split")) + " --stop-after 1 --quiet")
                .status,
            0);
  std::string header;
  EXPECT_EQ(csv_rows(run("split") / "metrics.csv", &header).size(), 1u);
  ASSERT_EQ(dither("train --resume " + quoted(run("split")) + " --quiet").status, 0);
  EXPECT_EQ(csv_rows(run("split") / "metrics.csv", &header).size(), 2u);
  EXPECT_TRUE(testing::same_tensors(load_checkpoint(run("whole") / "last.ckpt"),
                                    load_checkpoint(run("split") / "last.ckpt")));
}

}  // namespace
}  // namespace dither
