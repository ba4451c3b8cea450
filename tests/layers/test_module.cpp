#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "core/ops/sum_to.h"
#include "layer_testing.h"
#include "layers/module.h"

namespace dither {
namespace {

using testing::config_error;
using testing::set_values;

// y = x * scale + shift, with a saved (untrained) counter buffer.
class Affine : public Module {
 public:
  explicit Affine(std::int64_t n) {
    scale_ = register_parameter("scale", Tensor::ones({n}));
    shift_ = register_parameter("shift", Tensor::zeros({n}));
    register_buffer("count", Tensor::zeros({1}));
  }
  Tensor forward(const Tensor& x) override { return add(mul(x, scale_), shift_); }
  std::string type_name() const override { return "affine"; }

 private:
  Tensor scale_;
  Tensor shift_;
};

// Two Affine children, the second with its own child: exercises dotted names.
class Stack : public Module {
 public:
  Stack() {
    gain_ = register_parameter("gain", Tensor::ones({1}));
    first_ = register_module("first", std::make_shared<Affine>(2));
    second_ = register_module("second", std::make_shared<Stack2>());
  }
  Tensor forward(const Tensor& x) override {
    return mul(second_->forward(first_->forward(x)), gain_);
  }
  std::string type_name() const override { return "stack"; }

 private:
  class Stack2 : public Module {
   public:
    Stack2() { inner_ = register_module("inner", std::make_shared<Affine>(2)); }
    Tensor forward(const Tensor& x) override { return inner_->forward(x); }
    std::string type_name() const override { return "stack2"; }

   private:
    std::shared_ptr<Affine> inner_;
  };
  Tensor gain_;
  std::shared_ptr<Affine> first_;
  std::shared_ptr<Module> second_;
};

std::vector<std::string> names(const NamedTensors& tensors) {
  std::vector<std::string> out;
  for (const auto& [name, t] : tensors) out.push_back(name);
  return out;
}

TEST(ModuleTest, NamedParametersAreDottedAndInRegistrationOrder) {
  Stack stack;
  EXPECT_EQ(names(stack.named_parameters()),
            (std::vector<std::string>{"gain", "first.scale", "first.shift", "second.inner.scale",
                                      "second.inner.shift"}));
  EXPECT_EQ(names(stack.named_buffers()),
            (std::vector<std::string>{"first.count", "second.inner.count"}));
  EXPECT_EQ(stack.parameters().size(), 5u);
  for (const Tensor& p : stack.parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(ModuleTest, ParametersAreSharedHandlesNotCopies) {
  Affine affine(2);
  set_values(affine.parameters()[0], {3.0f, 4.0f});
  const Tensor y = affine(Tensor::from({1.0f, 1.0f}, {1, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<float>{3.0f, 4.0f}));
}

TEST(ModuleTest, StateDictCopiesParametersThenBuffers) {
  Affine affine(2);
  NamedTensors state = affine.state_dict();
  EXPECT_EQ(names(state), (std::vector<std::string>{"scale", "shift", "count"}));
  set_values(state[0].second, {7.0f, 7.0f});
  EXPECT_EQ(affine.parameters()[0].to_vector(), (std::vector<float>{1.0f, 1.0f}));
  EXPECT_FALSE(state[0].second.requires_grad());
}

TEST(ModuleTest, LoadStateDictRoundTrips) {
  Stack source;
  for (auto& [name, p] : source.named_parameters()) {
    std::vector<float> values(static_cast<std::size_t>(p.numel()));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(name.size() + i);
    set_values(p, values);
  }
  Stack target;
  target.load_state_dict(source.state_dict());
  const NamedTensors a = source.state_dict();
  const NamedTensors b = target.state_dict();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second.to_vector(), b[i].second.to_vector());
  }
}

TEST(ModuleTest, LoadStateDictNamesAMissingEntry) {
  Affine affine(2);
  NamedTensors state = affine.state_dict();
  state.erase(state.begin() + 1);
  const std::string message = config_error([&] { affine.load_state_dict(state); });
  EXPECT_NE(message.find("missing entry 'shift'"), std::string::npos) << message;
}

TEST(ModuleTest, LoadStateDictNamesAWrongShape) {
  Affine affine(2);
  NamedTensors state = affine.state_dict();
  state[0].second = Tensor::ones({3});
  const std::string message = config_error([&] { affine.load_state_dict(state); });
  EXPECT_NE(message.find("'scale' has shape [3]"), std::string::npos) << message;
  EXPECT_NE(message.find("[2]"), std::string::npos) << message;
}

TEST(ModuleTest, LoadStateDictNamesAnUnexpectedEntry) {
  Affine affine(2);
  NamedTensors state = affine.state_dict();
  state.emplace_back("bias", Tensor::ones({2}));
  const std::string message = config_error([&] { affine.load_state_dict(state); });
  EXPECT_NE(message.find("unexpected entry 'bias'"), std::string::npos) << message;
}

TEST(ModuleTest, TrainAndEvalReachEveryChild) {
  Stack stack;
  EXPECT_TRUE(stack.is_training());
  stack.eval();
  EXPECT_FALSE(stack.is_training());
  for (const auto& [name, child] : stack.children()) {
    EXPECT_FALSE(child->is_training()) << name;
    for (const auto& [inner_name, inner] : child->children()) EXPECT_FALSE(inner->is_training());
  }
  stack.train();
  EXPECT_TRUE(stack.children()[1].second->children()[0].second->is_training());
}

TEST(ModuleTest, EvalModeGuardRestoresThePreviousMode) {
  Stack stack;
  {
    EvalModeGuard guard(stack);
    EXPECT_FALSE(stack.is_training());
    EXPECT_FALSE(stack.children()[0].second->is_training());
  }
  EXPECT_TRUE(stack.is_training());
  EXPECT_TRUE(stack.children()[0].second->is_training());
  stack.eval();
  {
    EvalModeGuard guard(stack);
    EXPECT_FALSE(stack.is_training());
  }
  EXPECT_FALSE(stack.is_training());
}

TEST(ModuleTest, McSamplingKeepsNoiseActiveInEval) {
  Stack stack;
  stack.eval();
  EXPECT_FALSE(stack.noise_active());
  stack.set_mc_sampling(true);
  EXPECT_TRUE(stack.children()[1].second->mc_sampling());
  EXPECT_TRUE(stack.children()[1].second->noise_active());
  EXPECT_FALSE(stack.is_training());
}

TEST(ModuleTest, ZeroGradClearsEveryParameterGradient) {
  Stack stack;
  sum(stack(Tensor::ones({3, 2}))).backward();
  for (const Tensor& p : stack.parameters()) EXPECT_TRUE(p.grad().defined());
  stack.zero_grad();
  for (const Tensor& p : stack.parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(ModuleTest, BaseJsonIsTheTypeAndFlopsAreZero) {
  Affine affine(2);
  EXPECT_EQ(affine.to_json(), (nlohmann::json{{"type", "affine"}}));
  EXPECT_EQ(affine.flops({2}), 0);
}

TEST(LayerGradCheckTest, PassesThroughParametersOfACorrectModule) {
  Stack stack;
  EXPECT_TRUE(testing::layer_gradcheck(stack, testing::random_uniform({3, 2}, -1, 1, 5)));
}

// y = x * w whose backward gives w a gradient built from w instead of x: the check must notice.
class WrongGradient : public Module {
 public:
  WrongGradient() { w_ = register_parameter("w", Tensor::from({0.5f, -2.0f}, {2})); }
  Tensor forward(const Tensor& x) override {
    Tensor out = mul(x.detach(), w_.detach());
    return record("wrong", out, {x, w_}, [w = w_.detach()](const Tensor& g, const NeedsGrad&) {
      return std::vector<Tensor>{mul(g, w), sum_to(mul(g, w), w.shape())};
    });
  }
  std::string type_name() const override { return "wrong"; }

 private:
  Tensor w_;
};

TEST(LayerGradCheckTest, CatchesAWrongParameterGradient) {
  WrongGradient layer;
  testing::GradCheckOptions x_only;
  x_only.check_inputs = {true, false};
  const Tensor x = testing::random_uniform({3, 2}, 1, 2, 6);
  EXPECT_TRUE(testing::layer_gradcheck(layer, x, x_only));
  EXPECT_FALSE(testing::layer_gradcheck(layer, x));
}

}  // namespace
}  // namespace dither
