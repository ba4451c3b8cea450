#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "core/random.h"
#include "layers/linear.h"
#include "layers/registry.h"
#include "layers/summary.h"

namespace dither {
namespace {

const nlohmann::json kMlp = {{"layers",
                              {{{"type", "flatten"}},
                               {{"type", "linear"}, {"out", 256}},
                               {{"type", "relu"}},
                               {{"type", "linear"}, {"out", 128}},
                               {{"type", "tanh"}},
                               {{"type", "linear"}, {"out", 10}, {"bias", false}}}}};

TEST(SummaryTest, CountsParametersAndMultiplyAddsExactly) {
  auto model = build_model(kMlp, {1, 28, 28});
  const ModelSummary s = summarize(*model, {1, 28, 28});
  EXPECT_EQ(s.parameters, 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10);
  EXPECT_EQ(s.flops, 784 * 256 + 256 * 128 + 128 * 10);
  EXPECT_EQ(s.input, (Shape{1, 28, 28}));
  EXPECT_EQ(s.output, (Shape{10}));
  ASSERT_EQ(s.layers.size(), 6u);
  EXPECT_EQ(s.layers[0].path, "0");
  EXPECT_EQ(s.layers[0].type, "flatten");
  EXPECT_EQ(s.layers[0].output, (Shape{784}));
  EXPECT_EQ(s.layers[1].parameters, 784 * 256 + 256);
  EXPECT_EQ(s.layers[1].flops, 784 * 256);
  EXPECT_EQ(s.layers[2].parameters, 0);
  EXPECT_EQ(s.layers[5].parameters, 128 * 10);
  EXPECT_EQ(s.layers[5].output, (Shape{10}));
}

TEST(SummaryTest, ContainersListTheirLayersOneLevelDeeper) {
  const nlohmann::json spec = {
      {"layers",
       {{{"type", "linear"}, {"out", 4}},
        {{"type", "residual"}, {"layers", {{{"type", "linear"}, {"out", 4}}, {{"type", "relu"}}}}},
        {{"type", "linear"}, {"out", 2}}}}};
  auto model = build_model(spec, {3});
  const ModelSummary s = summarize(*model, {3});
  ASSERT_EQ(s.layers.size(), 5u);
  EXPECT_EQ(s.layers[1].path, "1");
  EXPECT_EQ(s.layers[1].type, "residual");
  EXPECT_EQ(s.layers[1].parameters, 4 * 4 + 4);
  EXPECT_EQ(s.layers[1].flops, 4 * 4);
  EXPECT_EQ(s.layers[2].path, "1.0");
  EXPECT_EQ(s.layers[2].depth, 1);
  EXPECT_EQ(s.layers[3].path, "1.1");
  EXPECT_EQ(s.layers[4].depth, 0);
  EXPECT_EQ(s.parameters, (3 * 4 + 4) + (4 * 4 + 4) + (4 * 2 + 2));
}

TEST(SummaryTest, TableShowsEveryRowAndTheTotals) {
  auto model = build_model(kMlp, {1, 28, 28});
  const std::string table = model_summary(*model, {1, 28, 28});
  EXPECT_NE(table.find("layer"), std::string::npos) << table;
  EXPECT_NE(table.find("multiply-adds"), std::string::npos) << table;
  EXPECT_NE(table.find("200,960"), std::string::npos) << table;  // 784 * 256 + 256
  EXPECT_NE(table.find("[784]"), std::string::npos) << table;
  EXPECT_NE(table.find("input [1,28,28] -> output [10]: 235,136 parameters, 234,752 multiply-adds"),
            std::string::npos)
      << table;
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 1 + 6 + 1) << table;
}

TEST(SummaryTest, ALayerOnItsOwnIsOneRow) {
  Linear layer(LinearOptions{.in = 3, .out = 2});
  const ModelSummary s = summarize(layer, {5, 3});
  ASSERT_EQ(s.layers.size(), 1u);
  EXPECT_EQ(s.layers[0].type, "linear");
  EXPECT_EQ(s.output, (Shape{5, 2}));
  EXPECT_EQ(s.flops, 5 * 3 * 2);
  EXPECT_EQ(s.parameters, 8);
}

TEST(SummaryTest, LeavesTheModelAndGeneratorUntouched) {
  auto model = build_model(kMlp, {1, 28, 28});
  manual_seed(1);
  const std::uint64_t position = default_generator().position();
  model_summary(*model, {1, 28, 28});
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(default_generator().position(), position);
}

}  // namespace
}  // namespace dither
