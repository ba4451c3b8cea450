#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "optim/adam.h"
#include "optim/factory.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "optim_support.h"

namespace dither {
namespace {

using nlohmann::json;
using testing::parameter;

std::vector<Tensor> params() { return {parameter({1.0f, 2.0f})}; }

std::string optimizer_error(const json& spec, const std::string& path = "optimizer") {
  try {
    make_optimizer(spec, params(), path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string schedule_error(const json& spec, int epochs = 10, int steps = 5) {
  Sgd opt(params(), {.lr = 0.1});
  try {
    make_schedule(spec, opt, epochs, steps);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(FactoryTest, BuildsEachOptimizerWithTorchDefaults) {
  auto sgd = make_optimizer({{"type", "sgd"}, {"lr", 0.05}, {"momentum", 0.9}}, params());
  ASSERT_NE(dynamic_cast<Sgd*>(sgd.get()), nullptr);
  EXPECT_EQ(sgd->to_json(), json({{"type", "sgd"},
                                  {"lr", 0.05},
                                  {"momentum", 0.9},
                                  {"dampening", 0.0},
                                  {"nesterov", false},
                                  {"weight_decay", 0.0}}));
  auto adam = make_optimizer({{"type", "adam"}, {"betas", {0.8, 0.99}}}, params());
  ASSERT_NE(dynamic_cast<Adam*>(adam.get()), nullptr);
  EXPECT_EQ(adam->to_json(), json({{"type", "adam"},
                                   {"lr", 1e-3},
                                   {"betas", {0.8, 0.99}},
                                   {"eps", 1e-8},
                                   {"weight_decay", 0.0},
                                   {"amsgrad", false}}));
  auto adamw = make_optimizer({{"type", "adamw"}}, params());
  ASSERT_NE(dynamic_cast<AdamW*>(adamw.get()), nullptr);
  EXPECT_EQ(adamw->to_json()["weight_decay"], 0.01);
  auto rmsprop = make_optimizer({{"type", "rmsprop"}, {"centered", true}}, params());
  ASSERT_NE(dynamic_cast<Rmsprop*>(rmsprop.get()), nullptr);
  EXPECT_EQ(rmsprop->to_json(), json({{"type", "rmsprop"},
                                      {"lr", 1e-2},
                                      {"alpha", 0.99},
                                      {"eps", 1e-8},
                                      {"weight_decay", 0.0},
                                      {"momentum", 0.0},
                                      {"centered", true}}));
}

TEST(FactoryTest, ToJsonRoundTrips) {
  for (const json& spec :
       {json{{"type", "sgd"}, {"lr", 0.1}, {"nesterov", true}, {"momentum", 0.5}},
        json{{"type", "adam"}, {"amsgrad", true}}, json{{"type", "adamw"}, {"weight_decay", 0.0}},
        json{{"type", "rmsprop"}, {"momentum", 0.9}}}) {
    const json resolved = make_optimizer(spec, params())->to_json();
    EXPECT_EQ(make_optimizer(resolved, params())->to_json(), resolved) << spec.dump();
  }
  Sgd opt(params(), {.lr = 0.1});
  for (const json& spec : {json{{"type", "constant"}}, json{{"type", "step"}, {"step_size", 3}},
                           json{{"type", "multistep"}, {"milestones", {2, 4}}},
                           json{{"type", "exponential"}, {"gamma", 0.9}}, json{{"type", "cosine"}},
                           json{{"type", "one_cycle"}}, json{{"type", "reduce_on_plateau"}}}) {
    const json resolved = make_schedule(spec, opt, 10, 5)->to_json();
    EXPECT_EQ(make_schedule(resolved, opt, 10, 5)->to_json(), resolved) << spec.dump();
  }
}

TEST(FactoryTest, OptimizerErrorsNameTheirPath) {
  EXPECT_EQ(optimizer_error({{"type", "sgd"}, {"momentum", 1.5}}),
            "optimizer.momentum: must be a number in [0, 1), got 1.5");
  EXPECT_EQ(optimizer_error({{"type", "sgd"}, {"lr", -1}}, "config.optimizer"),
            "config.optimizer.lr: must be a number >= 0, got -1");
  EXPECT_EQ(optimizer_error({{"type", "adam"}, {"betas", {0.9, 1}}}),
            "optimizer.betas[1]: must be a number in [0, 1), got 1");
  EXPECT_EQ(optimizer_error({{"type", "adam"}, {"betas", 0.9}}),
            "optimizer.betas: must be a list of two numbers in [0, 1), got 0.9");
  EXPECT_EQ(optimizer_error({{"type", "rmsprop"}, {"centered", 1}}),
            "optimizer.centered: must be true or false, got 1");
  EXPECT_EQ(optimizer_error({{"type", "sgd"}, {"nesterov", true}}),
            "optimizer.nesterov: needs momentum > 0 and dampening 0, got momentum 0 and "
            "dampening 0");
  EXPECT_EQ(optimizer_error({{"lr", 0.1}}), "optimizer.type: is required");
}

TEST(FactoryTest, OptimizerErrorsSuggestTheNearestKeyOrType) {
  const std::string key = optimizer_error({{"type", "sgd"}, {"momentun", 0.9}});
  EXPECT_EQ(key.rfind("optimizer.momentun: unknown key (did you mean 'momentum'?)", 0), 0u) << key;
  const std::string type = optimizer_error({{"type", "adamm"}});
  EXPECT_EQ(type.rfind("optimizer.type: unknown value 'adamm' (did you mean 'adam", 0), 0u) << type;
  // A key of another optimiser is unknown here.
  EXPECT_NE(optimizer_error({{"type", "sgd"}, {"betas", {0.9, 0.99}}}).find("unknown key"),
            std::string::npos);
}

TEST(FactoryTest, SchedulesTakeTheirDefaultsFromTheRun) {
  Sgd opt(params(), {.lr = 0.2});
  auto cosine = make_schedule({{"type", "cosine"}, {"warmup_epochs", 1}}, opt, 8, 5);
  EXPECT_EQ(cosine->to_json(),
            json({{"type", "cosine"}, {"t_max", 8}, {"eta_min", 0.0}, {"warmup_epochs", 1}}));
  EXPECT_NEAR(opt.lr(), 0.2 / 5, 1e-15);  // first warmup batch of 5 per epoch
  auto cycle = make_schedule({{"type", "one_cycle"}}, opt, 8, 5);
  EXPECT_EQ(cycle->to_json()["total_steps"], 40);
  EXPECT_EQ(cycle->to_json()["max_lr"], 0.2);
  auto plateau = make_schedule({{"type", "reduce_on_plateau"}, {"mode", "max"}}, opt, 8, 5);
  EXPECT_TRUE(plateau->monitors_metric());
  EXPECT_EQ(plateau->to_json()["patience"], 10);
}

TEST(FactoryTest, ScheduleErrorsNameTheirPath) {
  EXPECT_EQ(schedule_error({{"type", "step"}}), "schedule.step_size: is required");
  EXPECT_EQ(schedule_error({{"type", "cosine"}, {"warmup_epochs", 10}}),
            "schedule.warmup_epochs: must be an integer in [0, 9], got 10");
  EXPECT_EQ(schedule_error({{"type", "multistep"}, {"milestones", {5, 3}}}),
            "schedule.milestones: must be strictly increasing, got [5,3]");
  EXPECT_EQ(schedule_error({{"type", "reduce_on_plateau"}, {"factor", 1}}),
            "schedule.factor: must be a number in (0, 1), got 1");
  EXPECT_EQ(schedule_error({{"type", "one_cycle"}, {"div_factor", 0}}),
            "schedule.div_factor: must be a number > 0, got 0");
  const std::string key = schedule_error({{"type", "step"}, {"step_size", 2}, {"gama", 0.5}});
  EXPECT_EQ(key.rfind("schedule.gama: unknown key (did you mean 'gamma'?)", 0), 0u) << key;
  const std::string type = schedule_error({{"type", "cosin"}});
  EXPECT_EQ(type.rfind("schedule.type: unknown value 'cosin' (did you mean 'cosine'?)", 0), 0u)
      << type;
  EXPECT_NE(schedule_error({{"type", "constant"}}, 0, 5), "no error");
}

}  // namespace
}  // namespace dither
