#include <gtest/gtest.h>

#include <cmath>

#include "augment/label_noise.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"

namespace dither {
namespace {

const nlohmann::json kLinear5 = {{{"type", "linear"}, {"out", 5}}};

// n samples with dataset indices 0..n-1 and labels i % k.
Batch labelled(const testing::HookRig& rig, std::int64_t n, std::int64_t k) {
  Tensor y = Tensor::empty({n});
  for (std::int64_t i = 0; i < n; ++i) y.ptr()[i] = static_cast<float>(i % k);
  return rig.batch(Tensor::zeros({n, 3}), y);
}

// T[a][b]: the fraction of samples of class a that carry label b.
std::vector<std::vector<double>> transitions(const Tensor& clean, const Tensor& noisy,
                                             std::int64_t k) {
  std::vector<std::vector<double>> t(static_cast<std::size_t>(k),
                                     std::vector<double>(static_cast<std::size_t>(k), 0.0));
  std::vector<double> count(static_cast<std::size_t>(k), 0.0);
  for (std::int64_t i = 0; i < clean.numel(); ++i) {
    const auto a = static_cast<std::size_t>(clean.ptr()[i]);
    t[a][static_cast<std::size_t>(noisy.ptr()[i])] += 1.0;
    count[a] += 1.0;
  }
  for (std::size_t a = 0; a < t.size(); ++a) {
    for (double& v : t[a]) v /= count[a];
  }
  return t;
}

void expect_transitions(const std::vector<std::vector<double>>& measured,
                        const std::vector<std::vector<double>>& expected, double tolerance) {
  for (std::size_t a = 0; a < expected.size(); ++a) {
    for (std::size_t b = 0; b < expected.size(); ++b) {
      EXPECT_NEAR(measured[a][b], expected[a][b], tolerance) << "T[" << a << "][" << b << "]";
    }
  }
}

TEST(LabelNoiseTest, SymmetricNoiseFlipsAtTheRateToEveryOtherClassAlike) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_noise"}, {"rate", 0.3}});
  const Batch clean = labelled(rig, 50'000, 5);
  const Batch noisy = rig.on_batch(*hook, clean, 0);
  std::int64_t flipped = 0;
  for (std::int64_t i = 0; i < 50'000; ++i)
    flipped += noisy.targets.ptr()[i] != clean.targets.ptr()[i];
  // Binomial(50000, 0.3): standard deviation 0.002 of the rate.
  EXPECT_NEAR(static_cast<double>(flipped) / 50'000.0, 0.3, 0.01);
  std::vector<std::vector<double>> expected(5, std::vector<double>(5, 0.3 / 4));
  for (std::size_t a = 0; a < 5; ++a) expected[a][a] = 0.7;
  // 10000 samples per class: standard deviation 0.0046 on the diagonal, 0.0026 off it.
  expect_transitions(transitions(clean.targets, noisy.targets, 5), expected, 0.02);
}

TEST(LabelNoiseTest, AsymmetricNoiseFollowsTheNextClassMapOrTheGivenPairs) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  const Batch clean = labelled(rig, 50'000, 5);
  auto next = rig.hook({{"type", "label_noise"}, {"rate", 0.4}, {"mode", "asymmetric"}});
  std::vector<std::vector<double>> expected(5, std::vector<double>(5, 0.0));
  for (std::size_t a = 0; a < 5; ++a) {
    expected[a][a] = 0.6;
    expected[a][(a + 1) % 5] = 0.4;
  }
  expect_transitions(transitions(clean.targets, rig.on_batch(*next, clean, 0).targets, 5), expected,
                     0.02);

  auto pairs = rig.hook({{"type", "label_noise"},
                         {"rate", 0.4},
                         {"mode", "asymmetric"},
                         {"pairs", {{"1", 3}, {"3", 1}}}});
  std::vector<std::vector<double>> swapped(5, std::vector<double>(5, 0.0));
  for (std::size_t a = 0; a < 5; ++a) swapped[a][a] = 1.0;
  swapped[1][1] = swapped[3][3] = 0.6;
  swapped[1][3] = swapped[3][1] = 0.4;
  expect_transitions(transitions(clean.targets, rig.on_batch(*pairs, clean, 0).targets, 5), swapped,
                     0.02);
}

TEST(LabelNoiseTest, ASampleKeepsItsLabelEveryStepWhateverItsBatch) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_noise"}, {"rate", 0.5}});
  const Batch all = labelled(rig, 100, 5);
  const std::vector<float> first = rig.on_batch(*hook, all, 0).targets.to_vector();
  EXPECT_EQ(rig.on_batch(*hook, all, 57).targets.to_vector(), first);
  // Samples 90, 3 and 41 in a batch of their own, at another step.
  Batch some = rig.batch(Tensor::zeros({3, 3}), Tensor::from({0, 3, 1}, {3}));
  some.indices = {90, 3, 41};
  const Batch out = rig.on_batch(*hook, some, 12);
  EXPECT_EQ(out.targets.to_vector(), (std::vector<float>{first[90], first[3], first[41]}));
  // Another hook position is another noise draw.
  auto other = rig.hook({{"type", "label_noise"}, {"rate", 0.5}}, "noise[1]");
  StepContext ctx = rig.context(0, 0, 1);
  Batch again = all;
  other->on_batch(ctx, again);
  EXPECT_NE(again.targets.to_vector(), first);
}

TEST(LabelNoiseTest, RateZeroKeepsAndRateOneChangesEveryLabel) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  const Batch clean = labelled(rig, 500, 5);
  auto none = rig.hook({{"type", "label_noise"}, {"rate", 0.0}});
  EXPECT_EQ(rig.on_batch(*none, clean, 0).targets.ptr(), clean.targets.ptr());
  auto all = rig.hook({{"type", "label_noise"}, {"rate", 1.0}});
  const Batch noisy = rig.on_batch(*all, clean, 0);
  for (std::int64_t i = 0; i < 500; ++i) {
    ASSERT_NE(noisy.targets.ptr()[i], clean.targets.ptr()[i]) << i;
    ASSERT_GE(noisy.targets.ptr()[i], 0.0f);
    ASSERT_LT(noisy.targets.ptr()[i], 5.0f);
  }
  EXPECT_EQ(clean.targets.ptr()[7], 2.0f);  // the input batch is left alone
}

TEST(LabelNoiseTest, SameAtOneAndTwoThreads) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_noise"}, {"rate", 0.3}});
  const Batch clean = labelled(rig, 5000, 5);
  const int threads = num_threads();
  set_num_threads(1);
  const std::vector<float> one = rig.on_batch(*hook, clean, 0).targets.to_vector();
  set_num_threads(2);
  const std::vector<float> two = rig.on_batch(*hook, clean, 0).targets.to_vector();
  set_num_threads(threads);
  EXPECT_EQ(one, two);
}

TEST(LabelNoiseTest, SoftTargetsAreAClearErrorNamingTheHook) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_noise"}}, "noise[2]");
  Batch batch = rig.batch(Tensor::zeros({1, 3}), Tensor::from({0, 1, 0, 0, 0}, {1, 5}));
  StepContext ctx = rig.context(0, 0, 2);
  const std::string message = testing::config_error([&] { hook->on_batch(ctx, batch); });
  EXPECT_NE(message.find("noise[2]"), std::string::npos) << message;
  EXPECT_NE(message.find("before mixup"), std::string::npos) << message;
}

TEST(LabelNoiseTest, JsonRoundTripAndRefusals) {
  testing::HookRig rig(testing::tabular_info(3, 5), kLinear5);
  auto hook = rig.hook({{"type", "label_noise"}});
  EXPECT_EQ(hook->to_json(), (nlohmann::json{{"type", "label_noise"},
                                             {"rate", 0.2},
                                             {"mode", "symmetric"},
                                             {"pairs", nullptr},
                                             {"p", 1.0}}));
  EXPECT_EQ(rig.hook(hook->to_json())->to_json(), hook->to_json());
  auto pairs = rig.hook({{"type", "label_noise"}, {"mode", "asymmetric"}, {"pairs", {{"2", 4}}}});
  EXPECT_EQ(rig.hook(pairs->to_json())->to_json(), pairs->to_json());

  auto error = [&](const nlohmann::json& spec) {
    return testing::config_error([&] { rig.hook(spec); });
  };
  EXPECT_NE(error({{"type", "label_noise"}, {"p", 0.5}}).find("noise[0].p"), std::string::npos);
  EXPECT_NE(error({{"type", "label_noise"}, {"pairs", {{"1", 2}}}}).find("noise[0].pairs"),
            std::string::npos);
  EXPECT_NE(error({{"type", "label_noise"}, {"mode", "asymmetric"}, {"pairs", {{"1", 7}}}})
                .find("noise[0].pairs.1"),
            std::string::npos);
  EXPECT_NE(error({{"type", "label_noise"}, {"mode", "asymmetric"}, {"pairs", {{"x", 2}}}})
                .find("noise[0].pairs.x"),
            std::string::npos);
  EXPECT_NE(error({{"type", "label_noise"}, {"rate", 1.2}}).find("noise[0].rate"),
            std::string::npos);
  testing::HookRig regression(testing::tabular_info(3, 0), {{{"type", "linear"}, {"out", 1}}});
  EXPECT_THROW(regression.hook({{"type", "label_noise"}}), ConfigError);
}

}  // namespace
}  // namespace dither
