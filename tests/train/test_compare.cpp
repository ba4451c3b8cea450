#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "run_testing.h"
#include "train/overrides.h"
#include "train/study/compare.h"

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

class CompareTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped()) return;
    nlohmann::json base = testing::moons_config(4);
    base["data"]["train_size"] = 200;
    base["data"]["test_size"] = 100;
    testing::write_text(dir_ / "base.json", base.dump());
    testing::write_text(dir_ / "suite.json",
                        R"({"attacks": [{"type": "fgsm", "eps": [0.1, 0.3]}]})");
  }

  // A study of the tiny moons config (in the test folder, as "base.json") with `variants`.
  std::string study(const nlohmann::ordered_json& variants,
                    const std::string& name = "study") const {
    nlohmann::ordered_json s;
    s["description"] = "test";
    s["base"] = "base.json";
    s["seeds"] = 2;
    s["overrides"] = {{"train", {{"epochs", 1}}}};
    s["variants"] = variants;
    s["evaluate"] = {{"robustness", {"suite.json"}}};
    testing::write_text(dir_ / (name + ".json"), s.dump());
    return quoted(dir_ / (name + ".json"));
  }
};

TEST_F(CompareTest, TheTableHoldsTheRunsSummariesAndAFailedVariantIsReported) {
  const fs::path out = run("cmp");
  const auto variants = nlohmann::ordered_json::parse(
      R"({"baseline": {}, "+gaussian": {"noise": [{"type": "gaussian", "sigma": 0.3}]},
          "+broken": {"optimizer": {"lr": -1}}})");
  const Outcome r = dither("compare " + study(variants) + " --out " + quoted(out), kNoPlot);
  EXPECT_EQ(r.status, 2) << r.err;  // +broken is bad input: reported, and the exit says so
  const nlohmann::json report = read_json_file(out / "report.json");
  ASSERT_EQ(report["variants"].size(), 3u);
  const std::string md = slurp(out / "report.md");
  for (std::size_t v = 0; v < 2; ++v) {
    const nlohmann::json& variant = report["variants"][v];
    const std::string name = variant["name"];
    std::vector<double> accuracy;
    std::vector<double> robust;
    for (const char* seed : {"7", "8"}) {
      const fs::path point = out / "points" / (name + ",seed=" + seed);
      accuracy.push_back(read_json_file(point / "summary.json")["test"]["accuracy"]);
      robust.push_back(read_json_file(point / "robustness" / "suite" /
                                      "robustness.json")["robust_accuracy"]["fgsm"]["0.3"]);
      EXPECT_EQ(read_json_file(point / "config.json")["train"]["epochs"], 1);
    }
    const double mean = (accuracy[0] + accuracy[1]) / 2;
    const double std = std::abs(accuracy[0] - accuracy[1]) / std::sqrt(2.0);
    EXPECT_NEAR(variant["metrics"]["test_accuracy"]["mean"].get<double>(), mean, 1e-12) << name;
    EXPECT_NEAR(variant["metrics"]["test_accuracy"]["std"].get<double>(), std, 1e-12) << name;
    EXPECT_NEAR(variant["metrics"]["robust_fgsm_0.3"]["mean"].get<double>(),
                (robust[0] + robust[1]) / 2, 1e-12)
        << name;
    char cell[64];
    std::snprintf(cell, sizeof cell, "| %.2f ± %.2f", 100 * mean, 100 * std);
    const auto row = md.find("| " + name + " |");
    ASSERT_NE(row, std::string::npos) << md;
    EXPECT_TRUE(contains(md.substr(row, md.find('\n', row) - row), cell)) << cell << "\n" << md;
  }
  // The failed variant has its row and its errors, not a silent gap.
  EXPECT_EQ(report["variants"][2]["finished"], 0);
  EXPECT_EQ(report["variants"][2]["failed"].size(), 2u);
  EXPECT_TRUE(contains(md, "| +broken | 0/2 | failed")) << md;
  EXPECT_TRUE(contains(md, "`+broken,seed=7`: ")) << md;
  EXPECT_TRUE(contains(md, "optimizer.lr")) << md;
  EXPECT_TRUE(contains(slurp(out / "report.csv"), "+broken,2,0")) << slurp(out / "report.csv");
  EXPECT_TRUE(contains(md, "fgsm ε=0.3")) << md;
}

TEST_F(CompareTest, ShardsMergeIntoOneReport) {
  const auto variants =
      nlohmann::ordered_json::parse(R"({"baseline": {}, "+dropout0": {"model.layers.2.p": 0.0}})");
  const std::string file = study(variants);
  const fs::path a = run("a");
  const fs::path b = run("b");
  ASSERT_EQ(dither("compare " + file + " --shard 1/2 --out " + quoted(a), kNoPlot).status, 0);
  ASSERT_EQ(dither("compare " + file + " --shard 2/2 --out " + quoted(b), kNoPlot).status, 0);
  EXPECT_FALSE(fs::exists(a / "report.md"));
  const Outcome merged = dither("compare --collect " + quoted(a) + " " + quoted(b), kNoPlot);
  ASSERT_EQ(merged.status, 0) << merged.err;
  const nlohmann::json report = read_json_file(a / "report.json");
  for (const auto& variant : report["variants"]) EXPECT_EQ(variant["finished"], 2);
}

TEST_F(CompareTest, BadStudyFilesExitTwoNamingTheFileAndThePath) {
  const auto check = [&](const std::string& text, const std::string& named) {
    testing::write_text(dir_ / "bad.json", text);
    const Outcome r =
        dither("compare " + quoted(dir_ / "bad.json") + " --out " + quoted(run("bad")), kNoPlot);
    EXPECT_EQ(r.status, 2) << text;
    EXPECT_TRUE(contains(r.err, "bad.json")) << text << ": " << r.err;
    EXPECT_TRUE(contains(r.err, named)) << text << ": " << r.err;
    EXPECT_FALSE(fs::exists(run("bad") / "points")) << text;
  };
  check(R"({"base": "base.json", "variants": {"baseline": {}}, "seedz": 2})", "seedz");
  check(R"({"base": "missing.json", "variants": {"baseline": {}}})", "base");
  check(R"({"base": "base.json", "variants": []})", "variants");
  check(R"({"base": "base.json", "variants": {"baseline": 3}})", "variants.baseline");
  check(R"({"base": "base.json", "variants": {"a": {}}, "baseline": "b"})", "baseline");
  // A name the system refuses to look up escaped as std::filesystem's error (found by
  // fuzz_compare): now the study's error, naming the key and the reason.
  const std::string too_long(300, 'x');
  check(R"({"base": ")" + too_long + R"(.json", "variants": {"a": {}}})", "File name too long");
  check(R"({"base": "base.json", "variants": {"a": {}}, "evaluate": {"robustness": [")" + too_long +
            R"("]}})",
        "evaluate.robustness[0]");
  check(R"({"base": "base.json", "variants": {"a": {}}, "evaluate": {"robustness": ["no.json"]}})",
        "evaluate.robustness[0]");
  check(R"({"base": "base.json", "variants": {"a": {}}, "seeds": 0})", "seeds");
  check(R"({"base": "base.json", "variants": )", "not valid JSON");
  // A number beyond double's range is nlohmann's out_of_range, not a parse error: it escaped as an
  // internal failure, in the study file and in the base config it names.
  check(R"({"base": "base.json", "variants": {"a": {"optimizer.lr": 1e999}}})", "not valid JSON");
  testing::write_text(dir_ / "huge.json", R"({"seed": 1e999})");
  check(R"({"base": "huge.json", "variants": {"a": {}}})", "huge.json: invalid JSON");
}

// Every shipped study reads as a spec, and every point's overrides apply to its base config; the
// Fashion-MNIST study holds the techniques and combinations it promises.
TEST(StudyExamples, ShippedStudiesReadAndTheirOverridesApply) {
  const fs::path studies =
      fs::read_symlink("/proc/self/exe").parent_path().parent_path().parent_path() /
      "examples/studies";
  ASSERT_TRUE(fs::is_directory(studies)) << studies;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(studies)) {
    const nlohmann::ordered_json spec = compare_spec(entry.path());
    const StudyPlan plan = compare_plan(spec);
    EXPECT_GE(spec["variants"].size(), 5u) << entry.path();
    for (const StudyPoint& point : plan.points) {
      nlohmann::json config = nlohmann::json::parse(spec["config"].dump());
      for (const std::string& o : point.overrides) EXPECT_NO_THROW(apply_override(config, o)) << o;
    }
    ++files;
  }
  EXPECT_GE(files, 5);  // the five of examples/studies/, and any added later
  const nlohmann::ordered_json fashion = compare_spec(studies / "fashion_mnist.json");
  std::vector<std::string> names;
  for (const auto& v : fashion["variants"]) names.push_back(v["name"]);
  for (const char* wanted :
       {"baseline", "+gaussian", "+dropout", "+mixup", "+cutout", "+label_smoothing", "+fgsm_rs",
        "+pgd", "+gaussian+dropout", "+mixup+label_smoothing", "+fgsm_rs+gaussian"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), wanted), names.end()) << wanted;
  }
}

}  // namespace
}  // namespace dither
