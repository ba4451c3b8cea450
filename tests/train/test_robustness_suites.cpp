#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_testing.h"
#include "run_testing.h"
#include "source_tree.h"
#include "train/load_trained.h"
#include "train/robustness.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::quoted;

const fs::path kSuites = testing::kSourceTree / "examples" / "robustness";

class RobustnessSuitesCliTest : public testing::CliTest {
 protected:
  // Trains `config` for one epoch, runs the shipped `suite` on it through dither eval, and checks
  // that robustness.csv has the clean row and five severities of each of `corruptions`, each of
  // which changes what the model sees (its NLL differs from the clean one at severity 5).
  void check_suite(const nlohmann::json& config, const std::string& suite,
                   const std::vector<std::string>& corruptions) {
    const testing::Outcome trained =
        dither("train " + config_file(config) + " --quiet --out " + quoted(run("run")));
    ASSERT_EQ(trained.status, 0) << trained.err;
    const testing::Outcome r = dither("eval " + quoted(run("run")) + " --robustness " +
                                      quoted(kSuites / suite) + " --out " + quoted(run("out")));
    ASSERT_EQ(r.status, 0) << r.err;
    std::string header;
    const auto rows = testing::csv_rows(run("out") / "robustness.csv", &header);
    ASSERT_GE(rows.size(), 1 + 5 * corruptions.size());
    EXPECT_EQ(rows[0][1], "clean");
    const double clean_loss = std::stod(rows[0][5]);
    for (std::size_t c = 0; c < corruptions.size(); ++c) {
      for (int s = 1; s <= 5; ++s) {
        const auto& row = rows[1 + 5 * c + static_cast<std::size_t>(s - 1)];
        EXPECT_EQ(row[0], "corruption");
        EXPECT_EQ(row[1], corruptions[c]);
        EXPECT_EQ(std::stoi(row[2]), s);
        const double accuracy = std::stod(row[4]);
        EXPECT_TRUE(accuracy >= 0.0 && accuracy <= 1.0) << row[1] << " " << accuracy;
        if (s == 5) {
          EXPECT_NE(std::stod(row[5]), clean_loss) << corruptions[c] << " changed nothing";
        }
      }
    }
    EXPECT_TRUE(testing::contains(r.out, "mean corruption accuracy")) << r.out;
  }
};

TEST_F(RobustnessSuitesCliTest, WordsSuiteEditsTheTokensOfARealRun) {
  const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3,
    "data": {"name": "words", "per_language": 60, "max_length": 12},
    "model": {"layers": [{"type": "embedding", "num_embeddings": 64, "dim": 8},
                         {"type": "lstm", "hidden": 8}, {"type": "linear", "out": 5}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "train": {"epochs": 1, "batch_size": 32}
  })");
  check_suite(config, "words.json",
              {"token_deletion", "token_substitution", "token_swap", "token_insertion"});
}

TEST_F(RobustnessSuitesCliTest, WaveformsSuiteCorruptsTheSequencesOfARealRun) {
  const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3,
    "data": {"name": "waveforms", "train_size": 160, "test_size": 60, "length": 32},
    "model": {"layers": [{"type": "lstm", "hidden": 8}, {"type": "linear", "out": 4}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "train": {"epochs": 1, "batch_size": 32}
  })");
  check_suite(config, "waveforms.json",
              {"sequence_noise", "time_shift", "dropped_steps", "speed_change"});
}

TEST(RobustnessEotTest, AnEotAttackIsARowOfItsOwnBesidePlainPgd) {
  const testing::TempDir dir("robustness-eot");
  nlohmann::json config = testing::moons_config(2);
  config["model"]["layers"][0] = {
      {"type", "pni"}, {"at_eval", true}, {"layer", {{"type", "linear"}, {"out", 16}}}};
  testing::fit(config, dir);
  fs::path file;
  Experiment e = load_trained(dir / "run", file);
  const RobustnessSuite suite = RobustnessSuite::from_json(nlohmann::json::parse(R"({
    "attacks": [{"type": "pgd", "eps": [0.1, 0.3], "steps": 5},
                {"type": "pgd", "eps": [0.1, 0.3], "steps": 5, "eot_samples": 4,
                 "attack_mode": "mc"}]})"),
                                                           "");
  const RobustnessReport report =
      measure_robustness(*e.model, e.data.test, e.input, suite, EvalOptions{});
  std::vector<std::string> names;
  for (const RobustnessRow& r : report.rows) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"clean", "pgd", "pgd", "eot_pgd", "eot_pgd"}));
  const nlohmann::json robust = report.to_json().at("robust_accuracy");
  EXPECT_TRUE(robust.contains("pgd") && robust.contains("eot_pgd")) << robust.dump();
  EXPECT_EQ(robust.at("eot_pgd").size(), 2u);
  // A stronger attack of either kind never leaves more accuracy: no warning mixes the two rows.
  for (const std::string& w : report.warnings) EXPECT_FALSE(testing::contains(w, "rises")) << w;
}

}  // namespace
}  // namespace dither
