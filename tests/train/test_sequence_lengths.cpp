#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "augment/registry.h"
#include "layers/registry.h"
#include "run_testing.h"
#include "train/evaluate.h"
#include "train/experiment.h"

namespace dither {
namespace {

// What every forward of the spied model saw as sequence lengths (empty: none were set).
std::vector<std::vector<float>>& seen() {
  static std::vector<std::vector<float>> forwards;
  return forwards;
}

// The identity, recording the lengths the model was given for this forward.
class LengthsSpy : public Module {
 public:
  Tensor forward(const Tensor& x) override {
    seen().push_back(sequence_lengths().defined() ? sequence_lengths().to_vector()
                                                  : std::vector<float>{});
    return x;
  }
  std::string type_name() const override { return "lengths_spy"; }
};

// Records each batch's lengths and runs an extra pass in on_batch and in on_loss.
std::vector<std::vector<float>>& batches() {
  static std::vector<std::vector<float>> lengths;
  return lengths;
}

class ExtraPassHook : public Hook {
 public:
  std::string type_name() const override { return "extra_pass_spy"; }
  nlohmann::json to_json() const override { return {{"type", type_name()}, {"p", 1.0}}; }
  void on_batch(StepContext& ctx, Batch& batch) override {
    batches().push_back(batch.lengths.to_vector());
    ctx.forward(batch.inputs, PassMode::eval);
  }
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor&, Tensor loss) override {
    ctx.forward(batch.inputs, PassMode::train);
    return loss;
  }
};

void register_spies() {
  static const bool once = [] {
    LayerRegistry::instance().add(
        "lengths_spy", [](const LayerContext&) { return std::make_shared<LengthsSpy>(); });
    HookRegistry::instance().add("extra_pass_spy", [](const nlohmann::json&, const std::string&) {
      return std::make_unique<ExtraPassHook>();
    });
    return true;
  }();
  (void)once;
}

nlohmann::json spied_config() {
  return nlohmann::json::parse(R"({
    "seed": 3,
    "data": {"name": "waveforms", "train_size": 64, "test_size": 40, "validation_split": 0},
    "model": {"layers": [{"type": "lengths_spy"}, {"type": "lstm", "hidden": 4},
                         {"type": "linear", "out": 4}]},
    "optimizer": {"type": "adam", "lr": 0.01},
    "noise": [{"type": "extra_pass_spy"}],
    "train": {"epochs": 1, "batch_size": 16}
  })");
}

TEST(SequenceLengthsTest, TheTrainingForwardAndEveryExtraPassSeeTheBatchLengths) {
  register_spies();
  Experiment e = build_experiment(spied_config());
  seen().clear();
  batches().clear();
  testing::train_epochs(e);
  ASSERT_EQ(batches().size(), 4u);
  ASSERT_EQ(seen().size(), 12u);  // per step: on_batch's pass, the training forward, on_loss's
  for (std::size_t step = 0; step < 4; ++step) {
    EXPECT_EQ(batches()[step].size(), 16u);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(seen()[3 * step + k], batches()[step]) << step;
  }
  EXPECT_FALSE(e.model->sequence_lengths().defined());  // nothing left behind after a step
}

TEST(SequenceLengthsTest, EvaluationAndItsTransformPassesSeeTheBatchLengths) {
  register_spies();
  Experiment e = build_experiment(spied_config());
  seen().clear();
  EvalOptions options;
  options.batch_size = 16;
  options.transform = [](Batch& batch, ExtraPasses& passes, std::int64_t) {
    passes.forward(batch.inputs, PassMode::eval);
  };
  evaluate(*e.model, e.data.test, options);
  ASSERT_EQ(seen().size(), 6u);  // 3 batches (16, 16, 8): the transform's pass and the forward
  std::vector<float> all;
  for (std::size_t b = 0; b < 3; ++b) {
    EXPECT_EQ(seen()[2 * b], seen()[2 * b + 1]);
    all.insert(all.end(), seen()[2 * b].begin(), seen()[2 * b].end());
  }
  ASSERT_EQ(all.size(), 40u);
  for (std::size_t i = 0; i < 40; ++i) EXPECT_EQ(all[i], e.data.test.lengths[i]) << i;
  EXPECT_FALSE(e.model->sequence_lengths().defined());
}

TEST(SequenceLengthsTest, WhatLiesInThePaddingChangesNoPrediction) {
  nlohmann::json config = spied_config();
  config["model"]["layers"].erase(0);
  config["noise"] = nlohmann::json::array();
  Experiment e = build_experiment(config);
  testing::train_epochs(e);
  const Evaluation clean = evaluate(*e.model, e.data.test);
  Dataset garbage = e.data.test;
  const std::int64_t steps = garbage.sample_shape[0];
  for (std::int64_t i = 0; i < garbage.size(); ++i) {
    for (std::int64_t t = garbage.lengths[static_cast<std::size_t>(i)]; t < steps; ++t) {
      garbage.values[static_cast<std::size_t>(i * steps + t)] = t % 2 ? 7.0f : -7.0f;
    }
  }
  const Evaluation padded = evaluate(*e.model, garbage);
  EXPECT_EQ(clean.accuracy, padded.accuracy);
  EXPECT_NEAR(clean.loss, padded.loss, 1e-6);
  Dataset unmarked = garbage;  // the comparison can fail: without lengths the garbage is read
  unmarked.lengths.clear();
  EXPECT_GT(std::abs(evaluate(*e.model, unmarked).loss - clean.loss), 1e-3);
}

}  // namespace
}  // namespace dither
