#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/ops/softmax.h"
#include "core/parallel.h"
#include "core/random.h"
#include "layers/registry.h"
#include "run_testing.h"
#include "train/mc_dropout.h"

namespace dither {
namespace {

std::shared_ptr<Sequential> model_of(const nlohmann::json& layers) {
  return build_model({{"layers", layers}}, {5}, "model", 11);
}

const nlohmann::json kDropout = {{{"type", "linear"}, {"out", 16}},
                                 {{"type", "relu"}},
                                 {{"type", "dropout"}, {"p", 0.5}},
                                 {{"type", "linear"}, {"out", 4}}};
const nlohmann::json kBatchNormOnly = {{{"type", "linear"}, {"out", 16}},
                                       {{"type", "batch_norm1d"}},
                                       {{"type", "relu"}},
                                       {{"type", "linear"}, {"out", 4}}};

Tensor inputs(std::int64_t n = 32) {
  return Tensor::rand({n, 5}, RandomStream(2, "x"), -2.0f, 2.0f);
}

TEST(McDropoutTest, MeanProbabilitiesSumToOne) {
  auto model = model_of(kDropout);
  const McPrediction p = mc_predict(*model, inputs(), 20, 1);
  ASSERT_EQ(p.mean_probabilities.shape(), (Shape{32, 4}));
  ASSERT_EQ(p.entropy.shape(), (Shape{32}));
  for (std::int64_t i = 0; i < 32; ++i) {
    double total = 0.0;
    for (std::int64_t k = 0; k < 4; ++k) total += p.mean_probabilities.ptr()[i * 4 + k];
    EXPECT_NEAR(total, 1.0, 1e-6) << "row " << i;
    EXPECT_GE(p.entropy.ptr()[i], p.mutual_information.ptr()[i]);
    EXPECT_LE(p.entropy.ptr()[i], std::log(4.0) + 1e-6);
  }
}

// Without noise layers every pass is the same and BatchNorm uses its running statistics: the
// mean is the eval forward's softmax, and the mutual information is 0.
TEST(McDropoutTest, MutualInformationIsZeroWithoutNoiseLayers) {
  auto model = model_of(kBatchNormOnly);
  {  // running statistics away from their initial values, so eval and train mode differ
    model->train();
    const NoGradGuard no_grad;
    for (int k = 0; k < 5; ++k) model->forward(inputs());
  }
  const NamedTensors before = model->state_dict();
  const Tensor x = inputs();
  const McPrediction p = mc_predict(*model, x, 10, 3);
  EXPECT_TRUE(model->is_training());
  EXPECT_FALSE(model->mc_sampling());
  const NamedTensors after = model->state_dict();
  for (std::size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(before[i].second.to_vector(), after[i].second.to_vector()) << before[i].first;
  model->eval();
  const Tensor expected = softmax(model->forward(x), 1);
  for (std::int64_t i = 0; i < 32; ++i) {
    EXPECT_NEAR(p.mutual_information.ptr()[i], 0.0, 1e-6);
    double h = 0.0;
    for (std::int64_t k = 0; k < 4; ++k) {
      const double q = expected.ptr()[i * 4 + k];
      EXPECT_NEAR(p.mean_probabilities.ptr()[i * 4 + k], q, 1e-6);
      h -= q * std::log(q);
    }
    EXPECT_NEAR(p.entropy.ptr()[i], h, 1e-5);
  }
}

TEST(McDropoutTest, PassesDifferWhenDropoutIsPresent) {
  auto model = model_of(kDropout);
  const McPrediction many = mc_predict(*model, inputs(), 30, 1);
  double mean_mi = 0.0;
  for (std::int64_t i = 0; i < 32; ++i) mean_mi += many.mutual_information.ptr()[i] / 32.0;
  EXPECT_GT(mean_mi, 1e-3);
  const McPrediction one = mc_predict(*model, inputs(), 1, 1);
  for (std::int64_t i = 0; i < 32; ++i) EXPECT_EQ(one.mutual_information.ptr()[i], 0.0f);
  EXPECT_NE(one.mean_probabilities.to_vector(), many.mean_probabilities.to_vector());
}

TEST(McDropoutTest, DeterministicForASeedAtOneAndTwoThreads) {
  auto model = model_of(kDropout);
  const int threads = num_threads();
  set_num_threads(1);
  const auto one = mc_predict(*model, inputs(), 8, 5).mean_probabilities.to_vector();
  set_num_threads(2);
  const auto two = mc_predict(*model, inputs(), 8, 5).mean_probabilities.to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_NE(one, mc_predict(*model, inputs(), 8, 6).mean_probabilities.to_vector());
  EXPECT_THROW(mc_predict(*model, inputs(), 0, 5), Error);
}

TEST(McDropoutTest, WholeSetFollowsTheSetsOrderInBatches) {
  nlohmann::json config = testing::moons_config(1);
  Experiment e = build_experiment(config);
  const Dataset& test = e.data.test;
  const McPrediction all = mc_predict(*e.model, test, 5, 9, 64);
  ASSERT_EQ(all.entropy.numel(), test.size());
  BatchLoader loader(test, LoaderOptions{.batch_size = 64, .shuffle = false}, 0);
  const McPrediction second = mc_predict(*e.model, loader.batch(0, 1).inputs, 5, 9, 1);
  for (std::int64_t i = 0; i < second.entropy.numel(); ++i)
    EXPECT_EQ(all.entropy.ptr()[64 + i], second.entropy.ptr()[i]) << i;
}

TEST(McDropoutTest, StochasticLayersAreNamedByPathAndType) {
  EXPECT_EQ(stochastic_layers(*model_of(kDropout)), std::vector<std::string>{"model.2 (dropout)"});
  EXPECT_TRUE(stochastic_layers(*model_of(kBatchNormOnly)).empty());
  const nlohmann::json nested = {
      {{"type", "dropconnect"}, {"p", 0.3}, {"layer", {{"type", "linear"}, {"out", 8}}}},
      {{"type", "gaussian_noise"}, {"sigma", 0.1}},
      {{"type", "linear"}, {"out", 4}}};
  EXPECT_EQ(stochastic_layers(*model_of(nested)),
            (std::vector<std::string>{"model.0 (dropconnect)", "model.1 (gaussian_noise)"}));
}

}  // namespace
}  // namespace dither
