#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "core/ops.h"
#include "core/ops/loss.h"
#include "layers/loss.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

std::string error_of(const nlohmann::json& spec) {
  try {
    make_loss(spec);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LossTest, CrossEntropyFromJsonMatchesTheOp) {
  const Loss loss =
      make_loss({{"type", "cross_entropy"}, {"label_smoothing", 0.1}, {"weight", {1.0, 2.0, 0.5}}});
  const Tensor logits = testing::random_uniform({4, 3}, -2.0f, 2.0f, 1);
  const Tensor labels = Tensor::from({0, 1, 2, 1}, {4});
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  options.weight = Tensor::from({1.0f, 2.0f, 0.5f}, {3});
  EXPECT_FLOAT_EQ(loss(logits, labels).item(), cross_entropy(logits, labels, options).item());
  EXPECT_NE(loss(logits, labels).item(), cross_entropy(logits, labels).item());
}

TEST(LossTest, DefaultsToPlainCrossEntropyOnSoftOrHardTargets) {
  const Loss loss = make_loss({{"type", "cross_entropy"}});
  const Tensor logits = testing::random_uniform({2, 3}, -2.0f, 2.0f, 2);
  EXPECT_FLOAT_EQ(loss(logits, Tensor::from({2, 0}, {2})).item(),
                  loss(logits, Tensor::from({0, 0, 1, 1, 0, 0}, {2, 3})).item());
  EXPECT_EQ(loss.to_json(), (nlohmann::json{{"type", "cross_entropy"},
                                            {"label_smoothing", 0.0},
                                            {"label_smoothing_mode", "uniform"},
                                            {"weight", nullptr}}));
}

TEST(LossTest, EveryTypeBuildsAndRoundTrips) {
  const Tensor a = testing::random_uniform({3, 2}, -1.0f, 1.0f, 3);
  const Tensor b = testing::random_uniform({3, 2}, 0.0f, 1.0f, 4);
  EXPECT_FLOAT_EQ(make_loss({{"type", "mse"}})(a, b).item(), mse(a, b).item());
  EXPECT_FLOAT_EQ(make_loss({{"type", "l1"}})(a, b).item(), l1(a, b).item());
  EXPECT_FLOAT_EQ(make_loss({{"type", "huber"}, {"delta", 0.5}})(a, b).item(),
                  huber(a, b, 0.5f).item());
  EXPECT_FLOAT_EQ(make_loss({{"type", "bce_with_logits"}})(a, b).item(),
                  bce_with_logits(a, b).item());
  EXPECT_FLOAT_EQ(make_loss({{"type", "nll"}})(a, Tensor::from({1, 0, 1}, {3})).item(),
                  nll(a, Tensor::from({1, 0, 1}, {3})).item());
  for (const std::string& type : loss_types()) {
    const Loss loss = make_loss({{"type", type}});
    EXPECT_EQ(make_loss(loss.to_json()).to_json(), loss.to_json()) << type;
  }
  const Loss weighted = make_loss({{"type", "cross_entropy"}, {"weight", {1.0, 3.0}}});
  EXPECT_EQ(make_loss(weighted.to_json()).options().weight, (std::vector<float>{1.0f, 3.0f}));
}

TEST(LossTest, SmoothingModeReadsWritesAndIsSetByTheHookSetter) {
  const Loss others = make_loss(
      {{"type", "cross_entropy"}, {"label_smoothing", 0.1}, {"label_smoothing_mode", "others"}});
  EXPECT_EQ(others.options().smoothing, Smoothing::others);
  EXPECT_EQ(make_loss(others.to_json()).to_json(), others.to_json());
  const Tensor logits = testing::random_uniform({2, 3}, -2.0f, 2.0f, 6);
  const Tensor labels = Tensor::from({2, 0}, {2});
  CrossEntropyOptions options;
  options.label_smoothing = 0.1f;
  options.smoothing = Smoothing::others;
  EXPECT_FLOAT_EQ(others(logits, labels).item(), cross_entropy(logits, labels, options).item());
  Loss plain = make_loss({{"type", "cross_entropy"}});
  plain.set_label_smoothing(0.1f, Smoothing::others);
  EXPECT_FLOAT_EQ(plain(logits, labels).item(), others(logits, labels).item());
  Loss mse = make_loss({{"type", "mse"}});
  EXPECT_THROW(mse.set_label_smoothing(0.1f, Smoothing::uniform), ConfigError);
  EXPECT_THROW(plain.set_label_smoothing(1.5f, Smoothing::uniform), ConfigError);
  EXPECT_NE(error_of({{"type", "cross_entropy"}, {"label_smoothing_mode", "classy"}})
                .find("loss.label_smoothing_mode"),
            std::string::npos);
}

TEST(LossTest, GradientReachesTheOutputs) {
  const Loss loss = make_loss({{"type", "cross_entropy"}, {"label_smoothing", 0.2}});
  const Tensor labels = Tensor::from({1, 2}, {2});
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return loss(in[0], labels); },
                                 {testing::random_uniform({2, 3}, -1.0f, 1.0f, 5)}));
}

TEST(LossTest, BadSpecsNameThePath) {
  EXPECT_NE(
      error_of({{"type", "cross_entropy"}, {"label_smoothing", 2}}).find("loss.label_smoothing"),
      std::string::npos);
  EXPECT_NE(error_of({{"type", "cross_entropy"}, {"label_smothing", 0.1}}).find("label_smoothing"),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "cross_entropy"}, {"weight", {1.0, -2.0}}}).find("loss.weight[1]"),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "cross_entropy"}, {"weight", 3}}).find("loss.weight"),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "huber"}, {"delta", 0}}).find("loss.delta"), std::string::npos);
  EXPECT_NE(error_of({{"type", "mse"}, {"delta", 1}}).find("loss.delta"), std::string::npos);
  EXPECT_NE(error_of({{"type", "cross_entropi"}}).find("cross_entropy"), std::string::npos);
  EXPECT_NE(error_of({{"label_smoothing", 0.1}}).find("loss.type"), std::string::npos);
  try {
    make_loss({{"type", "l1"}, {"sigma", 1}}, "config.loss");
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("config.loss.sigma"), std::string::npos) << e.what();
  }
}

TEST(LossTest, OptionsAreValidatedWithoutJson) {
  LossOptions options;
  options.type = "hinge";
  EXPECT_THROW(Loss{options}, ConfigError);
  options.type = "cross_entropy";
  options.label_smoothing = -0.1f;
  EXPECT_THROW(Loss{options}, ConfigError);
  options.label_smoothing = 0.0f;
  options.weight = {1.0f, -1.0f};
  EXPECT_THROW(Loss{options}, ConfigError);
}

}  // namespace
}  // namespace dither
