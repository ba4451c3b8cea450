// The trainer's side of SAM: the second forward and backward at w + e through the trainer's
// regradient, which must leave BatchNorm's statistics as the first pass left them, and a SAM
// run that resumes bitwise.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "run_testing.h"
#include "train/checkpoint.h"
#include "train/run.h"

namespace dither {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

nlohmann::json batch_norm_config(const nlohmann::json& optimizer) {
  nlohmann::json config = testing::moons_config(2);
  config["model"]["layers"] = nlohmann::json::parse(R"([
    {"type": "linear", "out": 16}, {"type": "batch_norm1d"}, {"type": "relu"},
    {"type": "dropout", "p": 0.2}, {"type": "linear", "out": 2}])");
  config["optimizer"] = optimizer;
  return config;
}

const nlohmann::json kSgd = {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}};

// One step from the same weights on the same batch: SAM moves the weights differently, and the
// running statistics are exactly those of the plain step (its first pass's), not the second's.
TEST(SamTrainingTest, SecondPassLeavesBatchNormStatistics) {
  Experiment plain = build_experiment(batch_norm_config(kSgd));
  Experiment sam =
      build_experiment(batch_norm_config({{"type", "sam"}, {"rho", 0.5}, {"base", kSgd}}));
  BatchLoader loader(plain.data.train, LoaderOptions{.batch_size = 32}, plain.seed);
  const Batch batch = loader.batch(0, 0);
  auto step = [&](Experiment& e) {
    Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input,
                    e.settings, e.seed);
    e.model->train();
    trainer.train_step(batch, 0, 0, loader.num_batches());
  };
  step(plain);
  step(sam);
  const NamedTensors a = plain.model->named_buffers();
  const NamedTensors b = sam.model->named_buffers();
  ASSERT_FALSE(a.empty());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i].second.to_vector(), b[i].second.to_vector()) << a[i].first;
  EXPECT_NE(plain.model->named_parameters()[0].second.to_vector(),
            sam.model->named_parameters()[0].second.to_vector());
}

TEST(SamTrainingTest, ResumedRunEndsWithTheSameWeights) {
  TempDir dir("sam-resume");
  const fs::path config = dir / "sam.json";
  nlohmann::json spec =
      batch_norm_config({{"type", "sam"}, {"rho", 0.05}, {"adaptive", true}, {"base", kSgd}});
  spec["train"]["epochs"] = 3;
  // A learned-strength layer too: its reports must come back with a resumed run's history.
  spec["model"]["layers"][0] = {{"type", "pni"}, {"layer", {{"type", "linear"}, {"out", 16}}}};
  testing::write_text(config, spec.dump());
  auto train = [&](const fs::path& out, std::int64_t stop_after) {
    TrainRequest request;
    request.config_path = config.string();
    request.out_dir = out;
    request.quiet = true;
    request.stop_after_epochs = stop_after;
    return run_training(request);
  };
  train(dir / "whole", 0);
  train(dir / "split", 1);
  TrainRequest resume;
  resume.resume_dir = dir / "split";
  resume.quiet = true;
  EXPECT_EQ(run_training(resume).epochs_run, 3);
  const Checkpoint a = load_checkpoint(dir / "whole" / "last.ckpt");
  const Checkpoint b = load_checkpoint(dir / "split" / "last.ckpt");
  EXPECT_TRUE(testing::same_tensors(a, b));
  EXPECT_EQ(a.meta.at("optimizer"), b.meta.at("optimizer"));
  EXPECT_EQ(a.meta.at("optimizer").at("type"), "sam");
  const auto& history = b.meta.at("history");
  ASSERT_EQ(history.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(history[i].at("reports"), a.meta.at("history")[i].at("reports")) << i;
  const std::string csv = testing::slurp(dir / "split" / "metrics.csv");
  EXPECT_NE(csv.substr(0, csv.find('\n')).find(",model.0.pni_a"), std::string::npos) << csv;
}

}  // namespace
}  // namespace dither
