#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "run_testing.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/robustness.h"
#include "train/run.h"

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
                       "kind,name,strength,count,accuracy,loss,ece,brier\nclean,clean,0,150,"));
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

}  // namespace
}  // namespace dither
