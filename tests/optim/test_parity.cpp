// Optimisers and learning-rate schedules against PyTorch 1.13, from the fixtures of tests/parity
// (see tests/support/parity.h for the tolerance): parameters after each of three steps from
// fixed gradients, and the lr of every epoch (or batch) of a schedule.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "optim/factory.h"
#include "support/parity.h"

namespace dither {
namespace {

using nlohmann::json;
using testing::expect_fixtures_listed;
using testing::fixture_tensor;
using testing::FixtureName;
using testing::load_parity_fixture;
using testing::matches_reference;
using testing::parity_close;

const std::vector<std::string> kOptimizers{
    "sgd",
    "sgd_momentum",
    "sgd_nesterov",
    "sgd_dampening_weight_decay",
    "adam",
    "adam_weight_decay",
    "adam_amsgrad",
    "adamw",
    "adamw_amsgrad",
    "rmsprop",
    "rmsprop_centered",
    "rmsprop_momentum",
    "rmsprop_centered_momentum",
};

const std::vector<std::string> kSchedules{
    "step",
    "multistep",
    "exponential",
    "cosine",
    "cosine_eta_min",
    "one_cycle",
    "one_cycle_short_rise",
    "reduce_on_plateau",
    "reduce_on_plateau_max_abs",
};

class OptimizerParityTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OptimizerParityTest, MatchesPyTorch) {
  const json fixture = load_parity_fixture("optim_" + GetParam());
  SCOPED_TRACE(fixture.at("torch").get<std::string>() + " " + fixture.at("optimizer").dump());
  std::vector<Tensor> params;
  for (const json& p : fixture.at("params")) {
    params.push_back(fixture_tensor(p).set_requires_grad(true));
  }
  const auto optimizer = make_optimizer(fixture.at("optimizer"), params);
  const json& grads = fixture.at("grads");
  ASSERT_EQ(grads.size(), fixture.at("after").size());
  for (std::size_t s = 0; s < grads.size(); ++s) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      // A null gradient leaves the parameter out of this step, as grad = None does in torch.
      if (grads[s][k].is_null()) {
        params[k].zero_grad();
      } else {
        params[k].set_grad(fixture_tensor(grads[s][k]));
      }
    }
    optimizer->step();
    for (std::size_t k = 0; k < params.size(); ++k) {
      EXPECT_TRUE(matches_reference(params[k], fixture.at("after")[s][k]))
          << "parameter " << k << " after step " << s + 1;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, OptimizerParityTest, ::testing::ValuesIn(kOptimizers),
                         FixtureName{});

class ScheduleParityTest : public ::testing::TestWithParam<std::string> {};

// Drives the schedule as the trainer does: step_batch() after every batch, step() (with the
// epoch's metric when the fixture has metrics) after every epoch. Records the lr each epoch
// runs at, plus the one after the last epoch, or, per batch, the lr each batch runs at.
TEST_P(ScheduleParityTest, MatchesPyTorch) {
  const json fixture = load_parity_fixture("schedule_" + GetParam());
  SCOPED_TRACE(fixture.at("torch").get<std::string>());
  const auto optimizer =
      make_optimizer(fixture.at("optimizer"), {Tensor::zeros({1}).set_requires_grad(true)});
  const int epochs = fixture.at("epochs").get<int>();
  const int steps_per_epoch = fixture.at("steps_per_epoch").get<int>();
  const bool per_batch = fixture.at("per_batch").get<bool>();
  const auto schedule = make_schedule(fixture.at("schedule"), *optimizer, epochs, steps_per_epoch);
  std::vector<double> lrs;
  for (int e = 0; e < epochs; ++e) {
    if (!per_batch) lrs.push_back(schedule->lr());
    for (int b = 0; b < steps_per_epoch; ++b) {
      if (per_batch) lrs.push_back(schedule->lr());
      schedule->step_batch();
    }
    if (fixture.contains("metrics")) {
      schedule->step(fixture.at("metrics")[static_cast<std::size_t>(e)].get<double>());
    } else {
      schedule->step();
    }
  }
  if (!per_batch) lrs.push_back(schedule->lr());

  const auto expected = fixture.at("lrs").get<std::vector<double>>();
  ASSERT_EQ(lrs.size(), expected.size());
  for (std::size_t i = 0; i < lrs.size(); ++i) {
    EXPECT_TRUE(parity_close(lrs[i], expected[i]))
        << (per_batch ? "batch " : "epoch ") << i << ": lr " << lrs[i] << ", expected "
        << expected[i];
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, ScheduleParityTest, ::testing::ValuesIn(kSchedules),
                         FixtureName{});

TEST(ParityFixturesTest, EveryOptimizerAndScheduleFixtureIsTested) {
  expect_fixtures_listed("optim_", kOptimizers);
  expect_fixtures_listed("schedule_", kSchedules);
}

}  // namespace
}  // namespace dither
