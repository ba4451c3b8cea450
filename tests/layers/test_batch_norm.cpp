#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/parallel.h"
#include "layer_testing.h"
#include "layers/batch_norm.h"

namespace dither {
namespace {

using testing::build_layer;
using testing::config_error;
using testing::layer_gradcheck;
using testing::random_uniform;
using testing::set_values;

TEST(BatchNorm2dTest, OneTrainingStepSetsRunningStatisticsByTheFormula) {
  BatchNorm2d bn(BatchNormOptions{.features = 2, .momentum = 0.25});
  const Tensor x = random_uniform({3, 2, 2, 2}, -1, 4, 1);
  bn.forward(x);
  for (std::int64_t c = 0; c < 2; ++c) {
    double mean = 0.0, squares = 0.0;
    for (std::int64_t n = 0; n < 3; ++n) {
      for (std::int64_t i = 0; i < 4; ++i) mean += x.ptr()[(n * 2 + c) * 4 + i] / 12.0;
    }
    for (std::int64_t n = 0; n < 3; ++n) {
      for (std::int64_t i = 0; i < 4; ++i) {
        const double d = x.ptr()[(n * 2 + c) * 4 + i] - mean;
        squares += d * d;
      }
    }
    EXPECT_NEAR(bn.running_mean().ptr()[c], 0.25 * mean, 1e-6);
    EXPECT_NEAR(bn.running_var().ptr()[c], 0.75 + 0.25 * squares / 11.0, 1e-6);
  }
}

TEST(BatchNorm2dTest, EvalAndMcSamplingUseRunningStatisticsAndUpdateNothing) {
  BatchNorm2d bn(BatchNormOptions{.features = 1});
  set_values(bn.running_mean(), {2.0f});
  set_values(bn.running_var(), {4.0f - 1e-5f});
  set_values(bn.weight(), {3.0f});
  set_values(bn.bias(), {1.0f});
  const Tensor x = Tensor::from({2, 4, 6, 0}, {1, 1, 2, 2});
  const std::vector<float> want{1.0f, 4.0f, 7.0f, -2.0f};
  bn.eval();
  for (bool mc : {false, true}) {
    bn.set_mc_sampling(mc);
    const std::vector<float> y = bn.forward(x).to_vector();
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(y[i], want[i], 1e-5) << mc;
    EXPECT_EQ(bn.running_mean().item(), 2.0f);
    EXPECT_EQ(bn.running_var().item(), 4.0f - 1e-5f);
  }
  // Back in training, the same input is normalised by its own statistics.
  bn.train();
  EXPECT_NE(bn.forward(x).to_vector()[0], 1.0f);
  EXPECT_NE(bn.running_mean().item(), 2.0f);
}

TEST(BatchNorm2dTest, TrainingGradientMatchesFiniteDifferences) {
  BatchNorm2d bn(BatchNormOptions{.features = 2});
  set_values(bn.weight(), {0.7f, 1.3f});
  set_values(bn.bias(), {0.1f, -0.2f});
  EXPECT_TRUE(layer_gradcheck(bn, random_uniform({3, 2, 2, 3}, -1, 1, 2)));
}

TEST(BatchNorm2dTest, OutputIsBitwiseTheSameAtOneAndTwoThreads) {
  const int saved = num_threads();
  std::vector<std::vector<float>> results;
  const Tensor x = random_uniform({32, 3, 24, 24}, -2, 2, 3);
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    BatchNorm2d bn(BatchNormOptions{.features = 3});
    std::vector<float> all = bn.forward(x).to_vector();
    for (const Tensor& t : {bn.running_mean(), bn.running_var()}) {
      all.insert(all.end(), t.data().begin(), t.data().end());
    }
    bn.eval();
    const std::vector<float> eval = bn.forward(x).to_vector();
    all.insert(all.end(), eval.begin(), eval.end());
    results.push_back(all);
  }
  set_num_threads(saved);
  EXPECT_TRUE(results[0] == results[1]);
}

TEST(BatchNorm1dTest, TakesFeaturesOrSequencesAndGradchecks) {
  BatchNorm1d bn(BatchNormOptions{.features = 3});
  EXPECT_EQ(bn.forward(random_uniform({4, 3}, -1, 1, 4)).shape(), (Shape{4, 3}));
  EXPECT_EQ(bn.forward(random_uniform({4, 3, 5}, -1, 1, 5)).shape(), (Shape{4, 3, 5}));
  EXPECT_THROW(bn.forward(Tensor::zeros({4, 3, 2, 2})), ShapeError);
  EXPECT_THROW(bn.forward(Tensor::zeros({4, 2})), ShapeError);
  EXPECT_TRUE(layer_gradcheck(bn, random_uniform({4, 3, 2}, -1, 1, 6)));
}

TEST(BatchNormTest, BuildsFromJsonWithFeaturesInferred) {
  const auto layer =
      build_layer({{"type", "batch_norm2d"}, {"momentum", 0.2}, {"eps", 1e-3}}, {6, 4, 4});
  auto* bn = dynamic_cast<BatchNorm2d*>(layer.get());
  ASSERT_NE(bn, nullptr);
  EXPECT_EQ(bn->options().features, 6);
  EXPECT_DOUBLE_EQ(bn->options().momentum, 0.2);
  EXPECT_EQ(infer_output_shape(*bn, {6, 4, 4}), (Shape{6, 4, 4}));
  EXPECT_EQ(build_layer(bn->to_json(), {6, 4, 4})->to_json(), bn->to_json());
  const auto names = [&] {
    std::vector<std::string> out;
    for (const auto& [name, t] : bn->state_dict()) out.push_back(name);
    return out;
  }();
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias", "running_mean", "running_var"}));
  EXPECT_EQ(build_layer({{"type", "batch_norm1d"}}, {5})->parameters()[0].shape(), (Shape{5}));
  EXPECT_EQ(build_layer({{"type", "batch_norm1d"}}, {5, 7})->parameters()[0].shape(), (Shape{5}));
}

TEST(BatchNormTest, JsonErrorsNameThePath) {
  const std::string typo = config_error([] {
    build_layer({{"type", "batch_norm2d"}, {"momentun", 0.1}}, {6, 4, 4});
  });
  EXPECT_NE(typo.find("model.layers[0]"), std::string::npos) << typo;
  EXPECT_NE(typo.find("momentum"), std::string::npos) << typo;
  EXPECT_NE(config_error([] {
              build_layer({{"type", "batch_norm2d"}}, {6});
            }).find("model.layers[0]: batch_norm2d needs a per-sample input [C,H,W], got [6]"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "batch_norm1d"}, {"eps", 0}}, {6});
            }).find("model.layers[0].eps: must be > 0"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              build_layer({{"type", "batch_norm1d"}, {"momentum", 2}}, {6});
            }).find("model.layers[0].momentum"),
            std::string::npos);
}

}  // namespace
}  // namespace dither
