#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/random.h"
#include "layer_testing.h"
#include "layers/activations.h"
#include "layers/conv.h"
#include "layers/flatten.h"
#include "layers/linear.h"
#include "layers/sequential.h"

namespace dither {
namespace {

using testing::set_values;

std::vector<std::string> parameter_names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, t] : m.named_parameters()) out.push_back(name);
  return out;
}

TEST(SequentialTest, ForwardRunsTheLayersInOrder) {
  Sequential model;
  auto first = model.add(std::make_shared<Linear>(LinearOptions{.in = 2, .out = 2}));
  model.add(std::make_shared<ReLU>());
  auto last = model.add(std::make_shared<Linear>(LinearOptions{.in = 2, .out = 1, .bias = false}));
  set_values(first->weight(), {1, 0, 0, -1});
  set_values(first->bias(), {0, 0});
  set_values(last->weight(), {2, 3});
  // [1, 2] -> [1, -2] -> relu [1, 0] -> 2
  EXPECT_EQ(model(Tensor::from({1, 2}, {1, 2})).item(), 2.0f);
  EXPECT_EQ(model.size(), 3u);
  EXPECT_EQ(model[1].type_name(), "relu");
  EXPECT_EQ(model.at(2), last);
}

TEST(SequentialTest, ParameterNamesAreIndexDotName) {
  Sequential model({std::make_shared<Linear>(LinearOptions{.in = 2, .out = 3}),
                    std::make_shared<Tanh>(),
                    std::make_shared<Linear>(LinearOptions{.in = 3, .out = 1})});
  EXPECT_EQ(parameter_names(model),
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  model.add("head", std::make_shared<Linear>(LinearOptions{.in = 1, .out = 1}));
  EXPECT_EQ(parameter_names(model).back(), "head.bias");
}

TEST(SequentialTest, BadNamesAndIndicesThrow) {
  Sequential model;
  model.add("a", std::make_shared<ReLU>());
  EXPECT_THROW(model.add("a", std::make_shared<ReLU>()), Error);
  EXPECT_THROW(model.add("b.c", std::make_shared<ReLU>()), Error);
  EXPECT_THROW(model.add(std::shared_ptr<Module>()), Error);
  EXPECT_THROW(model.at(1), Error);
  EXPECT_THROW(model[5], Error);
}

TEST(SequentialTest, EmptyIsTheIdentity) {
  Sequential model;
  const Tensor x = Tensor::from({1, 2}, {1, 2});
  EXPECT_EQ(model(x).to_vector(), x.to_vector());
}

TEST(SequentialTest, GradientMatchesFiniteDifferences) {
  manual_seed(1);
  Sequential model({std::make_shared<Linear>(LinearOptions{.in = 3, .out = 4}),
                    std::make_shared<Tanh>(),
                    std::make_shared<Linear>(LinearOptions{.in = 4, .out = 2})});
  EXPECT_TRUE(testing::layer_gradcheck(model, testing::random_uniform({3, 3}, -1, 1, 41)));
}

TEST(SequentialTest, ModeReachesEveryLayer) {
  Sequential model({std::make_shared<ReLU>(), std::make_shared<Tanh>()});
  model.eval();
  EXPECT_FALSE(model[0].is_training());
  EXPECT_FALSE(model[1].is_training());
  {
    model.train();
    EvalModeGuard guard(model);
    EXPECT_FALSE(model[1].is_training());
  }
  EXPECT_TRUE(model[1].is_training());
}

TEST(SequentialTest, JsonListsTheLayersAndFlopsAddUp) {
  Sequential model({std::make_shared<Linear>(LinearOptions{.in = 4, .out = 3}),
                    std::make_shared<ReLU>(),
                    std::make_shared<Linear>(LinearOptions{.in = 3, .out = 2})});
  const nlohmann::json spec = model.to_json();
  EXPECT_EQ(spec["type"], "sequential");
  ASSERT_EQ(spec["layers"].size(), 3u);
  EXPECT_EQ(spec["layers"][1], (nlohmann::json{{"type", "relu"}}));
  EXPECT_EQ(spec["layers"][2]["in"], 3);
  EXPECT_EQ(model.flops({4}), 4 * 3 + 3 * 2);
  EXPECT_EQ(model.flops({5, 4}), 5 * (4 * 3 + 3 * 2));
}

TEST(SequentialTest, NestedSequentialBuildsFromJson) {
  auto model = build_model({{"layers",
                             {{{"type", "sequential"},
                               {"layers", {{{"type", "linear"}, {"out", 3}}, {{"type", "relu"}}}}},
                              {{"type", "linear"}, {"out", 1}}}}},
                           {2});
  EXPECT_EQ(parameter_names(*model),
            (std::vector<std::string>{"0.0.weight", "0.0.bias", "1.weight", "1.bias"}));
  EXPECT_EQ(build_model(model->to_json(), {2})->to_json(), model->to_json());
}

TEST(SequentialTest, HiddenTransformActsOnTheTensorEnteringItsPosition) {
  Sequential model;
  auto first = model.add(std::make_shared<Linear>(LinearOptions{.in = 2, .out = 2}));
  model.add(std::make_shared<ReLU>());
  set_values(first->weight(), {1, 0, 0, -1});
  set_values(first->bias(), {0, 0});
  const Tensor x = Tensor::from({1, 2}, {1, 2});
  // Position 1: after the linear layer ([1, -2]), before the relu; negate -> [-1, 2] -> [0, 2].
  {
    HiddenTransformGuard guard(model, 1, [](const Tensor& h) { return mul(h, -1.0f); });
    EXPECT_EQ(model.hidden_transform_position(), 1u);
    EXPECT_EQ(model(x).to_vector(), (std::vector<float>{0, 2}));
  }
  EXPECT_FALSE(model.hidden_transform_position().has_value());
  EXPECT_EQ(model(x).to_vector(), (std::vector<float>{1, 0}));
  // Position 0 is the input itself.
  model.set_hidden_transform(0, [](const Tensor& h) { return mul(h, 2.0f); });
  EXPECT_EQ(model(x).to_vector(), (std::vector<float>{2, 0}));
  model.clear_hidden_transform();
  EXPECT_THROW(model.set_hidden_transform(2, [](const Tensor& h) { return h; }), Error);
  model.set_hidden_transform(1, [](const Tensor& h) { return concat({h, h}, 0); });
  EXPECT_THROW(model(x), ShapeError);  // a transform must keep the batch
}

TEST(SequentialTest, HiddenTransformIsDifferentiable) {
  Sequential model({std::make_shared<Linear>(LinearOptions{.in = 2, .out = 3}),
                    std::make_shared<Tanh>(),
                    std::make_shared<Linear>(LinearOptions{.in = 3, .out = 2})});
  const Tensor scale = Tensor::from({0.5f, -1.0f, 2.0f}, {1, 3});
  model.set_hidden_transform(2, [scale](const Tensor& h) { return mul(h, scale); });
  EXPECT_TRUE(testing::layer_gradcheck(model, testing::random_uniform({3, 2}, -1.0f, 1.0f, 4)));
}

// The op names of the graph behind `t`.
std::set<std::string> ops_behind(const Tensor& t) {
  std::set<std::string> out;
  std::vector<const Node*> todo{TensorAccess::node(t)};
  while (!todo.empty()) {
    const Node* node = todo.back();
    todo.pop_back();
    if (node == nullptr) continue;
    out.insert(node->op);
    for (const Tensor& input : node->inputs) todo.push_back(TensorAccess::node(input));
  }
  return out;
}

TEST(SequentialTest, ConvThenReluRunsAsOneOpWithBitwiseTheSameResults) {
  manual_seed(3);
  Sequential model({std::make_shared<Conv2d>(Conv2dOptions{.in = 1, .out = 3}),
                    std::make_shared<ReLU>(), std::make_shared<Flatten>(),
                    std::make_shared<Linear>(LinearOptions{.in = 3 * 4 * 4, .out = 2})});
  const Tensor x = testing::random_uniform({4, 1, 6, 6}, -1, 1, 5);
  // Values and parameter gradients of the model, run whole or layer by layer.
  auto run = [&](bool whole) {
    Tensor h = x;
    if (whole) {
      h = model(x);
    } else {
      for (std::size_t i = 0; i < model.size(); ++i) h = model[i](h);
    }
    for (Tensor& p : model.parameters()) p.zero_grad();
    sum(h).backward();
    std::vector<float> all = h.to_vector();
    for (const Tensor& p : model.parameters()) {
      const auto g = p.grad().to_vector();
      all.insert(all.end(), g.begin(), g.end());
    }
    return std::make_pair(all, ops_behind(h));
  };
  const auto [fused, fused_ops] = run(true);
  const auto [layered, layered_ops] = run(false);
  EXPECT_EQ(fused, layered);
  EXPECT_TRUE(fused_ops.contains("conv2d_relu"));
  EXPECT_FALSE(fused_ops.contains("relu"));
  EXPECT_TRUE(layered_ops.contains("relu"));
  // A hidden transform entering the ReLU must see the convolution's output: no fusion there.
  HiddenTransformGuard guard(model, 1, [](const Tensor& h) { return mul(h, -1.0f); });
  const Tensor out = model(x);
  EXPECT_TRUE(ops_behind(out).contains("relu"));
  EXPECT_FALSE(ops_behind(out).contains("conv2d_relu"));
  const Tensor negated = model[3](model[2](relu(mul(model[0](x), -1.0f))));
  EXPECT_EQ(out.to_vector(), negated.to_vector());
}

}  // namespace
}  // namespace dither
