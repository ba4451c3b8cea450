#include <gtest/gtest.h>

#include <cmath>

#include "augment/cutmix.h"
#include "core/ops/shape_ops.h"
#include "core/parallel.h"
#include "hook_testing.h"
#include "layers/layer_testing.h"
#include "mixing_testing.h"

namespace dither {
namespace {

const nlohmann::json kImageModel = {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 4}}};

// b images [1, h, w]; image i is filled with the value i + 1, class i % 4.
Batch constant_images(const testing::HookRig& rig, std::int64_t b, std::int64_t h, std::int64_t w) {
  Tensor x = Tensor::empty({b, 1, h, w});
  Tensor y = Tensor::empty({b});
  for (std::int64_t i = 0; i < b; ++i) {
    std::fill(x.ptr() + i * h * w, x.ptr() + (i + 1) * h * w, static_cast<float>(i + 1));
    y.ptr()[i] = static_cast<float>(i % 4);
  }
  return rig.batch(x, y);
}

// The fraction of image i's pixels that still hold its own value i + 1.
double kept_fraction(const Tensor& x, std::int64_t i) {
  const std::int64_t plane = x.size(2) * x.size(3);
  std::int64_t kept = 0;
  for (std::int64_t j = 0; j < plane; ++j) kept += x.ptr()[i * plane + j] == i + 1;
  return static_cast<double>(kept) / static_cast<double>(plane);
}

TEST(CutMixBoxTest, CentredBoxCoversOneMinusLambdaOfTheImage) {
  // lam 0.75: sides sqrt(0.25) = half the image, 50 x 50 of 100 x 100 around (50, 50).
  const Box box = cutmix_box(0.75, 100, 100, 0.5, 0.5);
  EXPECT_EQ(box.top, 25);
  EXPECT_EQ(box.height, 50);
  EXPECT_EQ(box.left, 25);
  EXPECT_EQ(box.width, 50);
  EXPECT_EQ(box.area(), 2500);
}

TEST(CutMixBoxTest, ABoxAtTheCornerIsClippedToAQuarter) {
  const Box box = cutmix_box(0.75, 100, 80, 0.0, 0.0);
  EXPECT_EQ(box.top, 0);
  EXPECT_EQ(box.height, 25);
  EXPECT_EQ(box.left, 0);
  EXPECT_EQ(box.width, 20);
  EXPECT_EQ(cutmix_box(1.0, 28, 28, 0.3, 0.6).area(), 0);  // lam 1: nothing is pasted
}

TEST(CutMixBoxTest, MeanClippedAreaMatchesTheUniformCentreIntegral) {
  // With half side r = s / 2 (s = sqrt(1 - lam)) and a uniform centre, the clipped side has mean
  // s - s^2 / 4 (for r <= 1/2). lam ~ U(0, 1) (alpha 1) makes u = s^2 uniform, so the mean area
  // fraction is E[(s - s^2/4)^2] = E[u] - E[u^1.5] / 2 + E[u^2] / 16 = 1/2 - 1/5 + 1/48.
  const double expected = 0.5 - 0.2 + 1.0 / 48.0;
  const RandomStream stream(8, "boxes");
  const int n = 20'000;
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::uint64_t>(i);
    const double lam = stream.child(0).beta(k, 1.0, 1.0);
    total += static_cast<double>(
                 cutmix_box(lam, 1000, 1000, stream.child(1).uniform(k), stream.child(2).uniform(k))
                     .area()) /
             1e6;
  }
  // The area fraction has standard deviation below 0.3: a standard error of 0.0021 at n = 20000;
  // truncating half sides to whole pixels of 1000 costs at most 0.004.
  EXPECT_NEAR(total / n, expected, 0.012);
}

TEST(CutMixTest, PastesThePartnersPixelsInsideTheBoxOnly) {
  const Tensor x = reshape(Tensor::arange(0, 2 * 2 * 3 * 3), {2, 2, 3, 3});
  Box box;
  box.top = 1;
  box.height = 2;
  box.left = 0;
  box.width = 1;
  const Tensor y = paste_boxes(x, {1, 1}, {box});
  for (std::int64_t c = 0; c < 2; ++c) {
    for (std::int64_t r = 0; r < 3; ++r) {
      for (std::int64_t col = 0; col < 3; ++col) {
        const bool inside = r >= 1 && col == 0;
        const std::int64_t offset = c * 9 + r * 3 + col;
        EXPECT_EQ(y.ptr()[offset], x.ptr()[(inside ? 18 : 0) + offset]) << c << r << col;
        EXPECT_EQ(y.ptr()[18 + offset], x.ptr()[18 + offset]);  // sample 1 pasted from itself
      }
    }
  }
}

TEST(CutMixHookTest, TargetWeightsEqualTheKeptArea) {
  testing::HookRig rig(testing::image_info(1, 28, 28, 4), kImageModel);
  for (const char* mode : {"batch", "sample"}) {
    auto hook = rig.hook({{"type", "cutmix"}, {"mode", mode}});
    for (std::int64_t step = 0; step < 30; ++step) {
      const Batch out = rig.on_batch(*hook, constant_images(rig, 8, 28, 28), step);
      ASSERT_TRUE(testing::rows_are_distributions(out.targets));
      for (std::int64_t i = 0; i < 8; ++i) {
        // The partner's class may equal the sample's: compare the kept area with the weight of
        // the sample's own class only when the rest of the row sits elsewhere.
        const float own = out.targets.ptr()[i * 4 + i % 4];
        if (own == 1.0f && kept_fraction(out.inputs, i) < 1.0) continue;
        EXPECT_NEAR(own, kept_fraction(out.inputs, i), 1e-6) << mode << " step " << step;
      }
    }
  }
}

TEST(CutMixHookTest, BatchModeUsesOneBoxAndSampleModeManyBoxes) {
  testing::HookRig rig(testing::image_info(1, 28, 28, 4), kImageModel);
  auto distinct_masks = [&](const char* mode) {
    auto hook = rig.hook({{"type", "cutmix"}, {"mode", mode}});
    const Batch in = constant_images(rig, 16, 28, 28);
    const Batch out = rig.on_batch(*hook, in, 2);
    std::vector<std::vector<bool>> masks;
    for (std::int64_t i = 0; i < 16; ++i) {
      std::vector<bool> mask;
      for (std::int64_t j = 0; j < 28 * 28; ++j)
        mask.push_back(out.inputs.ptr()[i * 784 + j] != i + 1);
      if (std::count(mask.begin(), mask.end(), true) == 0) continue;  // pasted from itself
      if (std::find(masks.begin(), masks.end(), mask) == masks.end()) masks.push_back(mask);
    }
    return masks.size();
  };
  EXPECT_EQ(distinct_masks("batch"), 1u);
  EXPECT_GT(distinct_masks("sample"), 8u);
}

TEST(CutMixHookTest, CorrectLamOffKeepsTheDrawnLambda) {
  // Drawn lam ~ U(0, 1) has mean 1/2; the kept area has mean 1 - 0.3208 (see the box test).
  testing::HookRig rig(testing::image_info(1, 64, 64, 4), kImageModel);
  auto mean_weight = [&](bool correct) {
    auto hook = rig.hook({{"type", "cutmix"}, {"mode", "sample"}, {"correct_lam", correct}});
    double total = 0.0;
    int n = 0;
    for (std::int64_t step = 0; step < 100; ++step) {
      const Batch out = rig.on_batch(*hook, constant_images(rig, 8, 64, 64), step);
      for (std::int64_t i = 0; i < 8; ++i) {
        if (out.targets.ptr()[i * 4 + i % 4] == 1.0f) continue;  // same-class partner or self
        total += out.targets.ptr()[i * 4 + i % 4];
        ++n;
      }
    }
    return total / n;
  };
  // About 600 draws: standard errors near 0.012.
  EXPECT_NEAR(mean_weight(false), 0.5, 0.05);
  EXPECT_NEAR(mean_weight(true), 1.0 - 0.3208, 0.05);
}

TEST(CutMixHookTest, SizeOneOddAlphaZeroAndPZero) {
  testing::HookRig rig(testing::image_info(1, 8, 8, 4), kImageModel);
  auto hook = rig.hook({{"type", "cutmix"}});
  const Batch one = constant_images(rig, 1, 8, 8);
  const Batch out = rig.on_batch(*hook, one, 0);
  EXPECT_EQ(out.inputs.to_vector(), one.inputs.to_vector());
  EXPECT_EQ(out.targets.to_vector(), (std::vector<float>{1, 0, 0, 0}));
  EXPECT_TRUE(testing::rows_are_distributions(
      rig.on_batch(*hook, constant_images(rig, 7, 8, 8), 1).targets));
  for (const nlohmann::json& spec : {nlohmann::json{{"type", "cutmix"}, {"alpha", 0.0}},
                                     nlohmann::json{{"type", "cutmix"}, {"p", 0.0}}}) {
    auto off = rig.hook(spec);
    const Batch in = constant_images(rig, 6, 8, 8);
    const Batch same = rig.on_batch(*off, in, 3);
    EXPECT_EQ(same.inputs.ptr(), in.inputs.ptr());
    EXPECT_FALSE(same.soft_targets());
  }
}

TEST(CutMixHookTest, PAppliesToAboutThatFractionOfBatches) {
  testing::HookRig rig(testing::image_info(1, 8, 8, 4), kImageModel);
  auto hook = rig.hook({{"type", "cutmix"}, {"p", 0.6}});
  int fired = 0;
  for (std::int64_t step = 0; step < 1000; ++step) {
    fired += rig.on_batch(*hook, constant_images(rig, 2, 8, 8), step).soft_targets();
  }
  EXPECT_NEAR(fired, 600, 60);  // Binomial(1000, 0.6): standard deviation 15.5
}

TEST(CutMixHookTest, DeterministicPerStepAndSameAtOneAndTwoThreads) {
  testing::HookRig rig(testing::image_info(3, 32, 32, 4), kImageModel);
  auto hook = rig.hook({{"type", "cutmix"}, {"mode", "sample"}});
  const Batch batch = rig.batch(Tensor::rand({12, 3, 32, 32}, RandomStream(2, "x")),
                                Tensor::from({0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, {12}));
  const int threads = num_threads();
  set_num_threads(1);
  const Batch one = rig.on_batch(*hook, batch, 6);
  set_num_threads(2);
  const Batch two = rig.on_batch(*hook, batch, 6);
  set_num_threads(threads);
  EXPECT_EQ(one.inputs.to_vector(), two.inputs.to_vector());
  EXPECT_EQ(one.targets.to_vector(), two.targets.to_vector());
  EXPECT_NE(rig.on_batch(*hook, batch, 7).inputs.to_vector(), one.inputs.to_vector());
}

TEST(CutMixHookTest, JsonRoundTripAndRefusalOfNonImages) {
  testing::HookRig rig(testing::image_info(1, 8, 8, 4), kImageModel);
  auto hook = rig.hook({{"type", "cutmix"}});
  EXPECT_EQ(hook->to_json(), (nlohmann::json{{"type", "cutmix"},
                                             {"alpha", 1.0},
                                             {"mode", "batch"},
                                             {"correct_lam", true},
                                             {"p", 1.0},
                                             {"ramp_epochs", 0.0}}));
  auto other = rig.hook({{"type", "cutmix"}, {"mode", "sample"}, {"correct_lam", false}});
  EXPECT_EQ(rig.hook(other->to_json())->to_json(), other->to_json());
  testing::HookRig tabular(testing::tabular_info(5, 4), {{{"type", "linear"}, {"out", 4}}});
  const std::string message = testing::config_error([&] {
    tabular.hook({{"type", "cutmix"}}, "noise[1]");
  });
  EXPECT_NE(message.find("noise[1]"), std::string::npos) << message;
  EXPECT_NE(message.find("mixup"), std::string::npos) << message;
}

}  // namespace
}  // namespace dither
