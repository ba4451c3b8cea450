#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_testing.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::quoted;
using testing::read_json_file;

// Small moons runs, each trained on first use in the process (ctest runs every test in its own):
// "plain" without any noise layer, "dropout" with one, "other" of other data (the ensemble's
// refusal) and "no-validation" without a validation split.
class RunEvalTest : public testing::CliTest {
 protected:
  static void TearDownTestSuite() { runs_.clear(); }

  static nlohmann::json config_of(const std::string& name) {
    if (name == "dropout") return testing::moons_config(4);
    nlohmann::json config = testing::moons_config(4);
    config["model"]["layers"] = nlohmann::json::parse(
        R"([{"type": "linear", "out": 16}, {"type": "relu"}, {"type": "linear", "out": 2}])");
    config["noise"] = nlohmann::json::array();
    if (name == "other") config["data"]["noise"] = 0.3;
    if (name == "no-validation") config["data"]["validation_split"] = 0.0;
    return config;
  }

  // The run folder of `name`: trained (testing::fit) on first use.
  static fs::path run_dir(const std::string& name) {
    auto& dir = runs_[name];
    if (!dir) {
      dir = std::make_unique<testing::TempDir>("run-eval-" + name);
      testing::fit(config_of(name), *dir);
    }
    return *dir / "run";
  }
  static std::string trained(const std::string& name) { return quoted(run_dir(name)); }

  // `dither eval RUN args --out <fresh folder>`: the outcome, and eval.json when it succeeded.
  testing::Outcome eval(const std::string& run, const std::string& args, nlohmann::json* report) {
    const fs::path out = this->run("eval-" + std::to_string(evals_++));
    testing::Outcome o = dither("eval " + trained(run) + " " + args + " --out " + quoted(out));
    if (o.status == 0 && report) *report = read_json_file(out / "eval.json");
    return o;
  }

  static const nlohmann::json& row(const nlohmann::json& report, const std::string& prefix) {
    for (const nlohmann::json& r : report["predictors"]) {
      if (r["name"].get<std::string>().rfind(prefix, 0) == 0) return r;
    }
    ADD_FAILURE() << "no predictor " << prefix << " in " << report["predictors"].dump();
    static const nlohmann::json none;
    return none;
  }

  static void expect_same_metrics(const nlohmann::json& a, const nlohmann::json& b) {
    for (const char* key : {"accuracy", "nll", "ece", "brier", "mean_entropy"})
      EXPECT_NEAR(a[key].get<double>(), b[key].get<double>(), 1e-6) << key;
  }

  static std::map<std::string, std::unique_ptr<testing::TempDir>> runs_;
  int evals_ = 0;
};

std::map<std::string, std::unique_ptr<testing::TempDir>> RunEvalTest::runs_;

TEST_F(RunEvalTest, McOnAModelWithoutNoiseLayersEqualsTheDeterministicPass) {
  nlohmann::json report;
  const testing::Outcome o = eval("plain", "--mc-samples 6", &report);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(o.out, "MC had no stochastic layer")) << o.out;
  expect_same_metrics(row(report, "deterministic"), row(report, "MC"));
  EXPECT_EQ(row(report, "MC")["mean_mutual_information"].get<double>(), 0.0);
  EXPECT_EQ(report["mode"]["stochastic_layers"], nlohmann::json::array());
}

TEST_F(RunEvalTest, McNamesTheStochasticLayers) {
  nlohmann::json report;
  const testing::Outcome o = eval("dropout", "--mc-samples 6", &report);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(o.out, "model.2 (dropout)")) << o.out;
  EXPECT_GT(row(report, "MC")["mean_mutual_information"].get<double>(), 0.0);
  EXPECT_TRUE(row(report, "MC")["misclassification_auroc"]["mutual_information"].is_number());
}

TEST_F(RunEvalTest, PlainEvalSaysDeterministicAndFitsATemperature) {
  nlohmann::json report;
  const testing::Outcome o = eval("plain", "", &report);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(o.out, "mode: deterministic pass in eval mode")) << o.out;
  EXPECT_FALSE(contains(o.out, "MC")) << o.out;
  const nlohmann::json& t = report["temperature"];
  ASSERT_TRUE(t["value"].is_number()) << t.dump();
  EXPECT_GT(t["value"].get<double>(), 0.0);
  EXPECT_LE(t["validation_nll"]["after"].get<double>(),
            t["validation_nll"]["before"].get<double>());
  // Scaling never changes the top class.
  EXPECT_EQ(row(report, "temperature")["accuracy"], row(report, "deterministic")["accuracy"]);
  // The figures every eval reported before stay at the top level.
  EXPECT_EQ(report["accuracy"], row(report, "deterministic")["accuracy"]);
}

TEST_F(RunEvalTest, EnsembleOfTheRunWithItselfEqualsTheRun) {
  nlohmann::json report;
  const testing::Outcome o = eval("plain", "--ensemble " + trained("plain"), &report);
  ASSERT_EQ(o.status, 0) << o.err;
  expect_same_metrics(row(report, "deterministic"), row(report, "ensemble of 2"));
  EXPECT_EQ(row(report, "ensemble")["mean_mutual_information"].get<double>(), 0.0);
  EXPECT_EQ(report["ensemble"]["members"].size(), 2u);
}

TEST_F(RunEvalTest, EnsembleOfTwoRunsReportsEachMember) {
  nlohmann::json report;
  const testing::Outcome o = eval("plain", "--ensemble " + trained("dropout"), &report);
  ASSERT_EQ(o.status, 0) << o.err;
  const nlohmann::json& member = row(report, "member");
  EXPECT_TRUE(contains(member["name"].get<std::string>(), "dropout")) << member.dump();
  EXPECT_GT(row(report, "ensemble")["mean_mutual_information"].get<double>(), 0.0);
}

TEST_F(RunEvalTest, EnsembleRefusesARunOfOtherData) {
  const testing::Outcome o = eval("plain", "--ensemble " + trained("other"), nullptr);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(contains(o.err, "other") && contains(o.err, "data.noise")) << o.err;
}

TEST_F(RunEvalTest, FarAwayPointsAreConfidentlyMisjudged) {
  testing::write_text(run("far.json"), R"({"name": "noise", "low": 20, "high": 40, "size": 300})");
  nlohmann::json report;
  const testing::Outcome o =
      eval("dropout", "--mc-samples 4 --ood " + quoted(run("far.json")), &report);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(o.out, "OOD detection")) << o.out;
  EXPECT_EQ(report["ood"]["count"], 300);
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    const fs::path out = run("eval-" + std::to_string(evals_ - 1));
    EXPECT_TRUE(fs::exists(out / "reliability.png"));
    EXPECT_TRUE(fs::exists(out / "ood_scores.png"));
  }
  // ReLU networks grow more confident far from the data (Hein et al. 2019): the far points
  // look *less* uncertain than the test points, an AUROC well below one half.
  const nlohmann::json& det = row(report, "deterministic")["ood"];
  EXPECT_LT(det["auroc"]["max_probability"].get<double>(), 0.3) << det.dump();
  EXPECT_TRUE(det["auroc"]["mutual_information"].is_null());
  EXPECT_TRUE(row(report, "MC")["ood"]["auroc"]["mutual_information"].is_number());
}

TEST_F(RunEvalTest, OodSetEqualToTheTestSetIsUndetectable) {
  const nlohmann::json config = read_json_file(run_dir("plain") / "config.json");
  testing::write_text(run("same.json"), config["data"].dump());
  nlohmann::json report;
  const testing::Outcome o = eval("plain", "--ood " + quoted(run("same.json")), &report);
  ASSERT_EQ(o.status, 0) << o.err;
  const nlohmann::json& det = row(report, "deterministic")["ood"];
  EXPECT_DOUBLE_EQ(det["auroc"]["max_probability"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(det["auroc"]["entropy"].get<double>(), 0.5);
  EXPECT_NEAR(det["fpr_at_95_tpr"]["entropy"].get<double>(), 0.95, 0.02);
}

TEST_F(RunEvalTest, BadOodSpecsAndCombinationsExitWithTwo) {
  testing::write_text(run("shape.json"), R"({"name": "noise", "shape": [3], "low": 0, "high": 1})");
  const testing::Outcome shape = eval("plain", "--ood " + quoted(run("shape.json")), nullptr);
  EXPECT_EQ(shape.status, 2);
  EXPECT_TRUE(contains(shape.err, "[3]") && contains(shape.err, "[2]")) << shape.err;
  const testing::Outcome missing = eval("plain", "--ood " + quoted(run("none.json")), nullptr);
  EXPECT_EQ(missing.status, 2);
  EXPECT_TRUE(contains(missing.err, "none.json")) << missing.err;
  const testing::Outcome both = eval("plain", "--mc-samples 3 --robustness x.json", nullptr);
  EXPECT_EQ(both.status, 2);
  EXPECT_EQ(eval("plain", "--mc-samples 0", nullptr).status, 2);
}

TEST_F(RunEvalTest, RunWithoutValidationSplitSkipsTemperatureScaling) {
  nlohmann::json report;
  const testing::Outcome o = eval("no-validation", "", &report);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(o.out, "temperature scaling skipped")) << o.out;
  EXPECT_TRUE(report["temperature"].contains("skipped")) << report["temperature"].dump();
  EXPECT_EQ(report["predictors"].size(), 1u);
}

}  // namespace
}  // namespace dither
