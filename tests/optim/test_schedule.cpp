#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "core/error.h"
#include "optim/schedule.h"
#include "optim/sgd.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::parameter;

// An optimiser to drive: Sgd on one weight with the given lr.
struct Driven {
  explicit Driven(double lr) : opt({parameter({1.0f})}, {.lr = lr}) {}
  Sgd opt;
};

// lr at the start of each of `epochs` epochs, stepping per epoch only.
std::vector<double> epoch_lrs(Schedule& s, int epochs) {
  std::vector<double> out;
  for (int e = 0; e < epochs; ++e) {
    out.push_back(s.lr());
    s.step();
  }
  return out;
}

// lr seen by every batch of a run, stepped as the trainer does.
std::vector<double> batch_lrs(Schedule& s, int epochs, int steps_per_epoch) {
  std::vector<double> out;
  for (int e = 0; e < epochs; ++e) {
    for (int b = 0; b < steps_per_epoch; ++b) {
      out.push_back(s.lr());
      s.step_batch();
    }
    s.step();
  }
  return out;
}

void expect_sequence(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::max(1.0, std::abs(expected[i])))
        << "position " << i;
  }
}

double cosine(double from, double to, double pct) {
  return to + (from - to) * (1.0 + std::cos(std::numbers::pi * pct)) / 2.0;
}

TEST(ScheduleTest, ConstantKeepsTheOptimisersLr) {
  Driven d(0.3);
  ConstantSchedule s(d.opt);
  expect_sequence(batch_lrs(s, 2, 2), {0.3, 0.3, 0.3, 0.3});
}

TEST(ScheduleTest, StartsFromTheOptimisersInitialLr) {
  Driven d(0.1);
  d.opt.set_lr(0.5);  // e.g. moved by an earlier schedule
  StepSchedule s(d.opt, {.step_size = 1, .gamma = 0.5});
  EXPECT_EQ(s.lr(), 0.1);
  s.step();
  EXPECT_EQ(d.opt.lr(), 0.05);
}

TEST(ScheduleTest, StepDecaysEveryStepSizeEpochs) {
  Driven d(0.1);
  StepSchedule s(d.opt, {.step_size = 2, .gamma = 0.1});
  expect_sequence(epoch_lrs(s, 5), {0.1, 0.1, 0.01, 0.01, 0.001});
  EXPECT_EQ(d.opt.lr(), s.lr());
}

TEST(ScheduleTest, StepIgnoresBatches) {
  Driven d(0.1);
  StepSchedule s(d.opt, {.step_size = 1, .gamma = 0.5});
  expect_sequence(batch_lrs(s, 2, 3), {0.1, 0.1, 0.1, 0.05, 0.05, 0.05});
}

TEST(ScheduleTest, MultiStepDecaysAtEachMilestone) {
  Driven d(0.1);
  MultiStepSchedule s(d.opt, {.milestones = {2, 5}, .gamma = 0.5});
  expect_sequence(epoch_lrs(s, 7), {0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025});
}

TEST(ScheduleTest, ExponentialMultipliesEveryEpoch) {
  Driven d(0.2);
  ExponentialSchedule s(d.opt, 0.5);
  expect_sequence(epoch_lrs(s, 4), {0.2, 0.1, 0.05, 0.025});
}

TEST(ScheduleTest, CosineAnnealsToEtaMinAndStaysThere) {
  Driven d(0.1);
  CosineSchedule s(d.opt, {.t_max = 4, .eta_min = 0.01}, 1);
  expect_sequence(epoch_lrs(s, 6), {0.1, cosine(0.1, 0.01, 0.25), cosine(0.1, 0.01, 0.5),
                                    cosine(0.1, 0.01, 0.75), 0.01, 0.01});
}

TEST(ScheduleTest, CosineWithWarmupRampsPerBatchThenAnneals) {
  Driven d(0.1);
  CosineSchedule s(d.opt, {.t_max = 4, .warmup_epochs = 2}, 3);
  const double b = 0.1;
  expect_sequence(batch_lrs(s, 4, 3),
                  {b / 6, 2 * b / 6, 3 * b / 6, 4 * b / 6, 5 * b / 6, b,  // warmup, per batch
                   b, b, b,                                               // epoch 2: cos(0)
                   cosine(b, 0.0, 0.5), cosine(b, 0.0, 0.5), cosine(b, 0.0, 0.5)});
}

TEST(ScheduleTest, CosineWarmupEndsAfterItsEpochsWithoutBatchSteps) {
  Driven d(0.1);
  CosineSchedule s(d.opt, {.t_max = 3, .warmup_epochs = 1}, 10);
  expect_sequence(epoch_lrs(s, 3), {0.01, 0.1, 0.05});
}

TEST(ScheduleTest, OneCycleFirstPeakAndLastAreTorchs) {
  Driven d(0.5);
  OneCycleSchedule s(d.opt, {.max_lr = 1.0, .total_steps = 100});
  const std::vector<double> lrs = batch_lrs(s, 10, 11);  // 110 batches: 10 past the end
  // torch: initial = max_lr / 25, peak at step 0.3 * 100 - 1 = 29, last = initial / 1e4 at 99.
  const double initial = 1.0 / 25.0;
  const double last = initial / 1e4;
  EXPECT_NEAR(lrs[0], initial, 1e-15);
  EXPECT_NEAR(lrs[29], 1.0, 1e-15);
  EXPECT_NEAR(lrs[99], last, 1e-15);
  EXPECT_NEAR(lrs[10], cosine(initial, 1.0, 10.0 / 29.0), 1e-12);
  EXPECT_NEAR(lrs[60], cosine(1.0, last, (60.0 - 29.0) / (99.0 - 29.0)), 1e-12);
  for (std::size_t i = 1; i <= 29; ++i) EXPECT_GT(lrs[i], lrs[i - 1]) << i;
  for (std::size_t i = 30; i <= 99; ++i) EXPECT_LT(lrs[i], lrs[i - 1]) << i;
  for (std::size_t i = 100; i < lrs.size(); ++i) EXPECT_EQ(lrs[i], lrs[99]);
}

TEST(ScheduleTest, ReduceOnPlateauReactsAfterPatience) {
  Driven d(0.1);
  PlateauSchedule s(d.opt, {.factor = 0.5, .patience = 2});
  std::vector<double> lrs;
  for (double metric : {1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6}) {
    s.step(metric);
    lrs.push_back(s.lr());
  }
  // Bad epochs 1, 2, then 3 > patience: halve. 0.5 is better; three more bad: halve again.
  expect_sequence(lrs, {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025});
}

TEST(ScheduleTest, ReduceOnPlateauHonoursThresholdCooldownMinLrAndMode) {
  {
    Driven d(0.1);
    PlateauSchedule s(d.opt, {.factor = 0.5, .patience = 0, .threshold = 0.1});
    s.step(1.0);
    s.step(0.95);  // not 10% better than 1.0: a bad epoch, beyond patience 0
    EXPECT_NEAR(s.lr(), 0.05, 1e-15);
  }
  {
    Driven d(0.1);
    PlateauSchedule s(d.opt, {.factor = 0.5, .patience = 0, .cooldown = 2, .min_lr = 0.03});
    std::vector<double> lrs;
    for (int e = 0; e < 6; ++e) {
      s.step(1.0);
      lrs.push_back(s.lr());
    }
    // Reduce at 1, cool down 2 epochs, reduce at 4 but not below min_lr.
    expect_sequence(lrs, {0.1, 0.05, 0.05, 0.05, 0.03, 0.03});
  }
  {
    Driven d(0.1);
    PlateauSchedule s(d.opt, {.mode = "max", .factor = 0.5, .patience = 0});
    s.step(0.5);
    s.step(0.6);
    EXPECT_EQ(s.lr(), 0.1);
    s.step(0.4);
    EXPECT_NEAR(s.lr(), 0.05, 1e-15);
  }
}

TEST(ScheduleTest, ReduceOnPlateauNeedsTheMetric) {
  Driven d(0.1);
  PlateauSchedule s(d.opt, {});
  EXPECT_TRUE(s.monitors_metric());
  EXPECT_THROW(s.step(), Error);
  EXPECT_EQ(s.epoch(), 0);
}

TEST(ScheduleTest, SavedStateResumesTheSameSequence) {
  Driven straight_opt(0.1);
  CosineSchedule straight(straight_opt.opt, {.t_max = 5, .warmup_epochs = 1}, 4);
  const std::vector<double> expected = batch_lrs(straight, 5, 4);

  Driven first_opt(0.1);
  CosineSchedule first(first_opt.opt, {.t_max = 5, .warmup_epochs = 1}, 4);
  std::vector<double> lrs = batch_lrs(first, 2, 4);
  for (int b = 0; b < 2; ++b) {  // stop mid-epoch
    lrs.push_back(first.lr());
    first.step_batch();
  }
  const nlohmann::json saved = nlohmann::json::parse(first.state().dump());

  Driven resumed_opt(0.7);  // a different lr: the schedule's base lr comes from the state
  CosineSchedule resumed(resumed_opt.opt, {.t_max = 5, .warmup_epochs = 1}, 4);
  resumed.load_state(saved);
  for (int b = 2; b < 4; ++b) {
    lrs.push_back(resumed.lr());
    resumed.step_batch();
  }
  resumed.step();
  for (double lr : batch_lrs(resumed, 2, 4)) lrs.push_back(lr);
  expect_sequence(lrs, expected);
}

TEST(ScheduleTest, PlateauStateSurvivesAJsonRoundTrip) {
  const std::vector<double> metrics = {1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8};
  Driven straight_opt(0.1);
  PlateauSchedule straight(straight_opt.opt, {.patience = 1, .cooldown = 1});
  Driven first_opt(0.1);
  PlateauSchedule first(first_opt.opt, {.patience = 1, .cooldown = 1});
  Driven resumed_opt(0.1);
  PlateauSchedule resumed(resumed_opt.opt, {.patience = 1, .cooldown = 1});
  resumed.load_state(nlohmann::json::parse(first.state().dump()));  // best still infinite
  for (std::size_t e = 0; e < metrics.size(); ++e) {
    straight.step(metrics[e]);
    if (e < 4) {
      first.step(metrics[e]);
      if (e == 3) resumed.load_state(nlohmann::json::parse(first.state().dump()));
    } else {
      resumed.step(metrics[e]);
      EXPECT_EQ(resumed.lr(), straight.lr()) << "epoch " << e;
    }
  }
  EXPECT_LT(straight.lr(), 0.1);  // the sequence did reduce
}

TEST(ScheduleTest, LoadStateRejectsAnotherTypeOrMissingEntries) {
  Driven d(0.1);
  StepSchedule step(d.opt, {.step_size = 1});
  ExponentialSchedule exponential(d.opt, 0.5);
  EXPECT_THROW(step.load_state(exponential.state()), ConfigError);
  nlohmann::json partial = step.state();
  partial.erase("epoch");
  EXPECT_THROW(step.load_state(partial), ConfigError);
}

TEST(ScheduleTest, ConstructorsRejectBadOptions) {
  Driven d(0.1);
  try {
    StepSchedule(d.opt, {.step_size = 0});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "step: step_size must be >= 1, got 0");
  }
  EXPECT_THROW(MultiStepSchedule(d.opt, {.milestones = {3, 2}}), ConfigError);
  EXPECT_THROW(CosineSchedule(d.opt, {.t_max = 2, .warmup_epochs = 2}, 1), ConfigError);
  EXPECT_THROW(CosineSchedule(d.opt, {.t_max = 2}, 0), ConfigError);
  EXPECT_THROW(OneCycleSchedule(d.opt, {.max_lr = 0.0}), ConfigError);
  EXPECT_THROW(OneCycleSchedule(d.opt, {.max_lr = 1.0, .pct_start = 1.5}), ConfigError);
  EXPECT_THROW(PlateauSchedule(d.opt, {.factor = 1.0}), ConfigError);
  EXPECT_THROW(PlateauSchedule(d.opt, {.mode = "lowest"}), ConfigError);
}

}  // namespace
}  // namespace dither
