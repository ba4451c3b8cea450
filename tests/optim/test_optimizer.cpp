#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "optim/factory.h"
#include "optim/optimizer.h"
#include "optim/sgd.h"
#include "optim_support.h"

namespace dither {
namespace {

using testing::parameter;
using testing::set_gradient;

// An Sgd with momentum that has stepped once on both of its parameters.
struct Stepped {
  Tensor a = parameter({1.0f, 2.0f});
  Tensor b = parameter({3.0f});
  Sgd opt{{a, b}, {.lr = 0.1, .momentum = 0.9}};
  Stepped() {
    set_gradient(a, {1.0f, 1.0f});
    set_gradient(b, {1.0f});
    opt.step();
  }
};

std::string load_error(Optimizer& opt, const OptimizerState& state) {
  try {
    opt.load_state(state);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(OptimizerTest, StateHoldsLrStepsAndCopiesOfTheSlots) {
  Stepped s;
  const OptimizerState state = s.opt.state();
  EXPECT_EQ(state.scalars["type"], "sgd");
  EXPECT_EQ(state.scalars["lr"], 0.1);
  EXPECT_EQ(state.scalars["steps"], nlohmann::json({1, 1}));
  ASSERT_EQ(state.tensors.size(), 2u);
  // A copy: stepping again leaves the saved buffer as it was.
  s.opt.step();
  EXPECT_EQ(state.tensors[1].second.item(), 1.0f);
}

TEST(OptimizerTest, LoadStateRejectsMissingEntries) {
  Stepped s;
  OptimizerState state = s.opt.state();
  state.tensors.erase(state.tensors.begin() + 1);
  EXPECT_EQ(load_error(s.opt, state), "sgd: load_state: missing entry '1.momentum_buffer'");
}

TEST(OptimizerTest, LoadStateRejectsShapeMismatch) {
  Stepped s;
  OptimizerState state = s.opt.state();
  state.tensors[0].second = Tensor::zeros({3});
  EXPECT_EQ(load_error(s.opt, state),
            "sgd: load_state: entry '0.momentum_buffer' has shape [3], parameter 0 has shape [2]");
}

TEST(OptimizerTest, LoadStateRejectsUnexpectedEntriesAndOtherTypes) {
  Stepped s;
  OptimizerState extra = s.opt.state();
  extra.tensors.emplace_back("0.exp_avg", Tensor::zeros({2}));
  EXPECT_EQ(load_error(s.opt, extra), "sgd: load_state: unexpected entry '0.exp_avg'");
  OptimizerState other = s.opt.state();
  other.scalars["type"] = "adam";
  EXPECT_NE(load_error(s.opt, other).find("not from a 'sgd' optimiser"), std::string::npos);
  OptimizerState counts = s.opt.state();
  counts.scalars["steps"] = {1};
  EXPECT_NE(load_error(s.opt, counts).find("one count per parameter (2)"), std::string::npos);
}

TEST(OptimizerTest, FailedLoadChangesNothing) {
  Stepped s;
  OptimizerState bad = s.opt.state();
  bad.scalars["lr"] = 0.5;
  bad.tensors[0].second = Tensor::full({2}, 7.0f);
  bad.tensors[1].second = Tensor::zeros({2});
  EXPECT_THROW(s.opt.load_state(bad), ConfigError);
  EXPECT_EQ(s.opt.lr(), 0.1);
  EXPECT_EQ(s.opt.state().tensors[0].second.to_vector(), std::vector<float>({1.0f, 1.0f}));
}

TEST(OptimizerTest, NeverUpdatedParametersNeedNoEntries) {
  Tensor a = parameter({1.0f});
  Tensor b = parameter({2.0f});
  Sgd opt({a, b}, {.lr = 0.1, .momentum = 0.9});
  set_gradient(a, {1.0f});
  opt.step();
  const OptimizerState state = opt.state();
  ASSERT_EQ(state.tensors.size(), 1u);
  Sgd fresh({a.clone(), b.clone()}, {.lr = 0.1, .momentum = 0.9});
  EXPECT_NO_THROW(fresh.load_state(state));
  EXPECT_EQ(fresh.state().scalars["steps"], nlohmann::json({1, 0}));
}

TEST(OptimizerTest, SetLrAndConstructionValidate) {
  Tensor a = parameter({1.0f});
  Sgd opt({a}, {.lr = 0.1});
  opt.set_lr(0.25);
  EXPECT_EQ(opt.lr(), 0.25);
  EXPECT_THROW(opt.set_lr(-0.1), ConfigError);
  EXPECT_THROW(opt.set_lr(std::nan("")), ConfigError);
  EXPECT_THROW(Sgd({}, {}), ConfigError);
  EXPECT_THROW(Sgd({Tensor()}, {}), ConfigError);
  EXPECT_THROW(Sgd({a, a}, {}), ConfigError);
}

// What the trainer does inside the backward sweep: each parameter stepped alone, last first,
// one without a gradient on step 1, must give step()'s weights and state bitwise.
TEST(OptimizerTest, SteppingEachParameterAloneIsStepBitwise) {
  const std::vector<nlohmann::json> specs = {
      {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}, {"nesterov", true}, {"weight_decay", 0.01}},
      {{"type", "sgd"}, {"lr", 0.1}, {"momentum", 0.5}, {"dampening", 0.3}},
      {{"type", "adam"}, {"lr", 0.01}, {"amsgrad", true}, {"weight_decay", 0.1}},
      {{"type", "adamw"}, {"lr", 0.01}},
      {{"type", "rmsprop"}, {"lr", 0.01}, {"momentum", 0.9}, {"centered", true}}};
  for (const nlohmann::json& spec : specs) {
    std::vector<Tensor> whole_params = testing::resume_params();
    std::vector<Tensor> alone_params = testing::resume_params();
    auto whole = make_optimizer(spec, whole_params);
    auto alone = make_optimizer(spec, alone_params);
    ASSERT_NE(alone->per_parameter(), nullptr) << spec;
    testing::run_steps(*whole, whole_params, 0, 4);
    for (int s = 0; s < 4; ++s) {
      for (std::size_t k = alone_params.size(); k-- > 0;) {
        if (k == 1 && s == 1) {
          alone_params[k].zero_grad();
        } else {
          testing::set_gradient(
              alone_params[k],
              testing::varied_gradient(s, static_cast<int>(k),
                                       static_cast<std::size_t>(alone_params[k].numel())));
        }
        alone->per_parameter()->step_parameter(k);
      }
    }
    for (std::size_t k = 0; k < whole_params.size(); ++k) {
      EXPECT_TRUE(testing::bitwise_equal(whole_params[k], alone_params[k])) << spec << " " << k;
    }
    const OptimizerState a = whole->state();
    const OptimizerState b = alone->state();
    EXPECT_EQ(a.scalars, b.scalars) << spec;
    ASSERT_EQ(a.tensors.size(), b.tensors.size()) << spec;
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
      EXPECT_EQ(a.tensors[i].first, b.tensors[i].first);
      EXPECT_TRUE(testing::bitwise_equal(a.tensors[i].second, b.tensors[i].second))
          << spec << " " << a.tensors[i].first;
    }
  }
}

TEST(OptimizerTest, SamNeedsEveryGradientFirst) {
  auto sam = make_optimizer({{"type", "sam"}, {"base", {{"type", "sgd"}, {"lr", 0.1}}}},
                            testing::resume_params());
  EXPECT_EQ(sam->per_parameter(), nullptr);
}

}  // namespace
}  // namespace dither
