#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "run_testing.h"
#include "train/corruptions/catalog.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/robustness.h"
#include "train/run.h"
#include "train/run_robustness.h"

namespace dither {
namespace {

using testing::contains;
using testing::TempDir;

RobustnessRow row(const std::string& name, double eps, double accuracy) {
  RobustnessRow r{name == "clean" ? "clean" : "attack", name, eps, {}};
  r.result.accuracy = accuracy;
  r.result.count = 1000;
  return r;
}

std::string config_error(const nlohmann::json& suite) {
  try {
    RobustnessSuite::from_json(suite, "");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(RobustnessSuiteTest, ErrorsNameTheJsonPath) {
  EXPECT_TRUE(contains(config_error({{"attacks", nlohmann::json::array()}}), "attacks: must be"));
  EXPECT_TRUE(contains(config_error({{"attacks", {{{"type", "pgd"}, {"eps", {0.1, -1}}}}}}),
                       "attacks[0].eps[1]"));
  EXPECT_TRUE(
      contains(config_error({{"attacks", {{{"type", "cw"}, {"eps", {0.1}}}}}}), "attacks[0].type"));
  EXPECT_TRUE(
      contains(config_error({{"attacks", {{{"type", "pgd"}, {"eps", {0.1}}, {"stepz", 3}}}}}),
               "did you mean 'steps'"));
  EXPECT_TRUE(
      contains(config_error({{"attacks", {{{"type", "pgd"}, {"eps", {0.1}}, {"eot_samples", 4}}}}}),
               "attacks[0].eot_samples"));
}

TEST(RobustnessWarningsTest, FgsmFarAbovePgdAndAccuracyRisingWithEpsAreFlagged) {
  EXPECT_TRUE(robustness_warnings({row("clean", 0, 0.9), row("fgsm", 0.1, 0.7),
                                   row("pgd", 0.1, 0.65), row("pgd", 0.2, 0.4)})
                  .empty());
  const auto masked = robustness_warnings({row("fgsm", 0.1, 0.85), row("pgd", 0.1, 0.05)});
  ASSERT_EQ(masked.size(), 1u);
  EXPECT_TRUE(contains(masked[0], "catastrophic overfitting")) << masked[0];
  const auto rising = robustness_warnings({row("pgd", 0.1, 0.30), row("pgd", 0.2, 0.45)});
  ASSERT_EQ(rising.size(), 1u);
  EXPECT_TRUE(contains(rising[0], "rises")) << rising[0];
  // Within sampling noise (two standard errors on 1000 samples is about 4 points): quiet.
  EXPECT_TRUE(robustness_warnings({row("pgd", 0.1, 0.30), row("pgd", 0.2, 0.31)}).empty());
}

TEST(RobustnessTest, ReportsEveryConditionReproduciblyAndAttacksHurt) {
  const TempDir dir("robustness");
  nlohmann::json config = testing::moons_config(6);
  config["noise"] = nlohmann::json::array();
  testing::fit(config, dir);
  const nlohmann::json suite = {
      {"description", "small"},
      {"limit", 150},
      {"attacks",
       {{{"type", "fgsm"}, {"eps", {0.1, 0.3}}}, {{"type", "pgd"}, {"eps", {0.3}}, {"steps", 5}}}}};
  testing::write_text(dir / "suite.json", suite.dump());
  std::string plot_error;
  const RobustnessReport a =
      run_robustness(dir / "run", dir / "suite.json", dir / "out", plot_error);
  const RobustnessReport b =
      run_robustness(dir / "run", dir / "suite.json", dir / "out", plot_error);
  ASSERT_EQ(a.rows.size(), 4u);
  EXPECT_EQ(a.rows[0].name, "clean");
  EXPECT_EQ(a.rows[0].result.count, 150);
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].result.accuracy, b.rows[i].result.accuracy) << i;
    EXPECT_EQ(a.rows[i].result.loss, b.rows[i].result.loss) << i;
  }
  EXPECT_GT(a.rows[0].result.accuracy, 0.8);                        // chance is 0.5
  EXPECT_LT(a.rows[2].result.accuracy, a.rows[1].result.accuracy);  // larger eps, lower accuracy
  EXPECT_LE(a.rows[3].result.accuracy, a.rows[2].result.accuracy + 0.02);  // PGD <= FGSM
  EXPECT_GT(a.rows[3].result.loss, a.rows[0].result.loss);
  const nlohmann::json written = testing::read_json_file(dir / "out" / "robustness.json");
  EXPECT_EQ(written.at("rows").size(), 4u);
  EXPECT_EQ(written.at("robust_accuracy").at("pgd").at("0.3"), a.rows[3].result.accuracy);
  EXPECT_TRUE(contains(written.at("model_mode"), "eval"));
  EXPECT_TRUE(contains(testing::slurp(dir / "out" / "robustness.csv"),
                       "kind,name,strength,count,accuracy,loss,ece,brier,ce,relative_ce\n"
                       "clean,clean,0,150,"));
}

TEST(RobustnessTest, ASuiteFileErrorNamesTheFile) {
  const TempDir dir("robustness-bad");
  testing::write_text(dir / "bad.json", R"({"attacks": [{"type": "pgd"}]})");
  try {
    RobustnessSuite::load(dir / "bad.json");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "bad.json")) << e.what();
    EXPECT_TRUE(contains(e.what(), "attacks[0].eps")) << e.what();
  }
}

TEST(RobustnessSuiteTest, CorruptionErrorsNameTheJsonPath) {
  EXPECT_TRUE(
      contains(config_error({{"limit", 10}}), "attacks: a suite lists attacks, corruptions"));
  EXPECT_TRUE(contains(config_error({{"corruptions", nlohmann::json::array()}}),
                       "corruptions: must be a non-empty list"));
  EXPECT_TRUE(contains(config_error({{"corruptions", {{{"type", "gausian_noise"}}}}}),
                       "corruptions[0].type"));
  EXPECT_TRUE(contains(config_error({{"corruptions", {{{"type", "gausian_noise"}}}}}),
                       "did you mean 'gaussian_noise'"));
  EXPECT_TRUE(contains(
      config_error({{"corruptions",
                     {{{"type", "contrast"}}, {{"type", "rotate"}, {"severities", {2, 6}}}}}}),
      "corruptions[1].severities[1]: severity 6 is not in 1..5"));
  EXPECT_TRUE(contains(config_error({{"corruptions", {{{"type", "rotate"}, {"fill", "mean"}}}}}),
                       "corruptions[0].fill: only missing_features"));
  EXPECT_TRUE(contains(config_error({{"corruptions",
                                      {{{"type", "missing_features"}, {"fill", "zero"}},
                                       {{"type", "missing_features"}, {"fill", "mean"}}}}}),
                       "corruptions[1].fill"));
  const RobustnessSuite suite = RobustnessSuite::from_json(
      {{"corruptions", {{{"type", "jpeg"}}, {{"type", "pixelate"}, {"severities", {3}}}}}}, "");
  EXPECT_TRUE(suite.attacks.empty());
  ASSERT_EQ(suite.corruptions.size(), 2u);
  EXPECT_EQ(suite.corruptions[0].severities, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(suite.corruptions[1].severities, (std::vector<int>{3}));
}

TEST(RobustnessSuiteTest, ACorruptionForOtherInputsIsRefusedNamingTheFileAndPath) {
  const TempDir dir("robustness-kind");
  testing::write_text(dir / "suite.json",
                      R"({"corruptions": [{"type": "feature_noise"}, {"type": "gaussian_blur"}]})");
  const RobustnessSuite suite = RobustnessSuite::load(dir / "suite.json");
  InputInfo rows;
  rows.kind = InputKind::tabular;
  rows.sample_shape = {6};
  try {
    suite.check_inputs(rows);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(),
                         "suite.json: corruptions[1].type: gaussian_blur corrupts "
                         "images"))
        << e.what();
    EXPECT_TRUE(contains(e.what(), "use feature_noise, missing_features")) << e.what();
  }
  InputInfo points;
  points.kind = InputKind::points;
  points.sample_shape = {2};
  try {
    suite.check_inputs(points);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "corruptions[0].type: feature_noise corrupts tabular rows"))
        << e.what();
    EXPECT_TRUE(contains(e.what(), "no corruption fits them yet")) << e.what();
  }
}

RobustnessRow corrupted(const std::string& name, int severity, double accuracy) {
  RobustnessRow r{severity == 0 ? "clean" : "corruption",
                  severity == 0 ? "clean" : name,
                  static_cast<double>(severity),
                  {}};
  r.result.accuracy = accuracy;
  r.result.count = 1000;
  return r;
}

TEST(CorruptionSummaryTest, MceAgainstItselfIsOneHundredAndMatchesTheDefinition) {
  const std::vector<RobustnessRow> mine = {corrupted("", 0, 0.9), corrupted("noise", 1, 0.8),
                                           corrupted("noise", 2, 0.6), corrupted("blur", 1, 0.7)};
  const CorruptionSummary self = summarize_corruptions(mine, mine, "itself");
  EXPECT_DOUBLE_EQ(self.mce, 100.0);
  EXPECT_DOUBLE_EQ(self.relative_mce, 100.0);
  EXPECT_NEAR(self.mean_accuracy, (0.8 + 0.6 + 0.7) / 3.0, 1e-12);
  ASSERT_EQ(self.corruptions.size(), 2u);
  EXPECT_NEAR(self.corruptions[0].accuracy, 0.7, 1e-12);
  const std::vector<RobustnessRow> base = {corrupted("", 0, 0.95), corrupted("noise", 1, 0.6),
                                           corrupted("noise", 2, 0.3), corrupted("blur", 1, 0.75)};
  const CorruptionSummary s = summarize_corruptions(mine, base, "base");
  // noise: (0.2 + 0.4) / (0.4 + 0.7); blur: 0.3 / 0.25. Relative: (0.1 + 0.3) / (0.35 + 0.65)
  // and 0.2 / 0.2.
  EXPECT_NEAR(s.corruptions[0].ce, 100.0 * 0.6 / 1.1, 1e-9);
  EXPECT_NEAR(s.corruptions[1].ce, 120.0, 1e-9);
  EXPECT_NEAR(s.mce, (100.0 * 0.6 / 1.1 + 120.0) / 2.0, 1e-9);
  EXPECT_NEAR(s.relative_mce, (40.0 + 100.0) / 2.0, 1e-9);
  EXPECT_TRUE(std::isnan(summarize_corruptions(mine, {}, "").mce));
  EXPECT_THROW(summarize_corruptions(mine, {corrupted("", 0, 0.9)}, "short"), Error);
}

// A small Fashion-MNIST run, every image corruption at severities 1, 3, 5 on 200 test images,
// against itself as the baseline.
TEST(RobustnessTest, ImageSuiteOnAFashionMnistRunWithItselfAsBaseline) {
  if (!std::filesystem::exists(std::filesystem::path(testing::kFashionMnist) /
                               "train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed at " << testing::kFashionMnist;
  }
  const TempDir dir("robustness-images");
  testing::fit(nlohmann::json::parse(R"({
    "seed": 1,
    "data": {"name": "fashion-mnist", "path": "/usr/share/datasets/fashion-mnist",
             "limit_train": 2000, "limit_test": 400, "validation_split": 0.1},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 64}, {"type": "relu"},
                         {"type": "linear", "out": 10}]},
    "optimizer": {"type": "adam", "lr": 0.003},
    "train": {"epochs": 2, "batch_size": 64}
  })"),
               dir);
  nlohmann::json list = nlohmann::json::array();
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind == InputKind::image) list.push_back({{"type", c.name}, {"severities", {1, 3, 5}}});
  }
  testing::write_text(dir / "suite.json",
                      nlohmann::json{{"limit", 200}, {"corruptions", list}}.dump());
  std::string plot_error;
  const RobustnessReport r =
      run_robustness(dir / "run", dir / "suite.json", dir / "out", plot_error, dir / "run");
  ASSERT_EQ(r.rows.size(), 1 + 3 * list.size());
  EXPECT_GT(r.rows[0].result.accuracy, 0.6);
  EXPECT_DOUBLE_EQ(r.summary.mce, 100.0);
  EXPECT_DOUBLE_EQ(r.summary.relative_mce, 100.0);
  EXPECT_LT(r.summary.mean_accuracy, r.summary.clean_accuracy);
  for (const RobustnessRow& row : r.rows) {
    EXPECT_EQ(row.result.count, 200);
    if (row.name == "gaussian_noise" && row.strength == 5) {
      EXPECT_LT(row.result.accuracy, r.rows[0].result.accuracy - 0.1);  // sigma 0.38
    }
  }
  const nlohmann::json written = testing::read_json_file(dir / "out" / "robustness.json");
  EXPECT_EQ(written.at("summary").at("mce"), 100.0);
  EXPECT_EQ(written.at("summary").at("corruptions").size(), list.size());
  EXPECT_EQ(written.at("reliability").size(), 15u);
  EXPECT_TRUE(
      contains(testing::slurp(dir / "out" / "robustness.csv"), "corruption_mean,all,,200,"));
  EXPECT_TRUE(contains(r.to_table(), "mCE 100.0"));
  if (plot_error.empty()) {
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "corruptions.png"));
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "reliability.png"));
  }
}

TEST(RobustnessTest, TabularSuiteOnALoansRunFillsAsTrainingDoes) {
  const TempDir dir("robustness-loans");
  testing::fit(nlohmann::json::parse(R"({
    "seed": 2,
    "data": {"name": "loans", "train_size": 1000, "test_size": 300, "missing": "mean"},
    "model": {"layers": [{"type": "linear", "out": 16}, {"type": "relu"},
                         {"type": "linear", "out": 2}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "noise": [{"type": "feature_mask", "rate": 0.1, "fill": "zero"}],
    "train": {"epochs": 3, "batch_size": 64}
  })"),
               dir);
  testing::write_text(dir / "suite.json", R"({"corruptions": [{"type": "feature_noise"},
      {"type": "missing_features", "severities": [5]}, {"type": "feature_shift"},
      {"type": "feature_scale", "severities": [5]}]})");
  std::string plot_error;
  const RobustnessReport r =
      run_robustness(dir / "run", dir / "suite.json", dir / "out", plot_error);
  ASSERT_EQ(r.rows.size(), 13u);
  EXPECT_GT(r.rows[0].result.accuracy, 0.7);
  EXPECT_LT(r.rows[5].result.accuracy, r.rows[0].result.accuracy);  // feature noise of 0.8 std
  Experiment e = build_experiment(testing::read_json_file(dir / "run" / "config.json"));
  const FeatureStats stats = training_feature_stats(
      e, RobustnessSuite::from_json({{"corruptions", {{{"type", "missing_features"}}}}}, ""));
  EXPECT_EQ(stats.fill.kind, MaskFill::zero);  // as the run's feature_mask hook
}

}  // namespace
}  // namespace dither
