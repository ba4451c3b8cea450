#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "hook_testing.h"

namespace dither {
namespace {

// Runs `specs` in order on one batch of mid-grey images, as the trainer's on_batch loop does.
Batch run_in_order(const std::vector<nlohmann::json>& specs) {
  testing::HookRig rig(testing::image_info(1, 12, 12),
                       {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 10}}});
  std::vector<std::unique_ptr<Hook>> hooks;
  for (std::size_t i = 0; i < specs.size(); ++i)
    hooks.push_back(rig.hook(specs[i], "noise[" + std::to_string(i) + "]"));
  Batch batch = rig.batch(Tensor::full({8, 1, 12, 12}, 0.5f), Tensor::zeros({8}));
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    StepContext ctx = rig.context(0, 0, i);
    hooks[i]->on_batch(ctx, batch);
  }
  return batch;
}

std::int64_t count_equal(const Tensor& t, float value) {
  std::int64_t n = 0;
  for (float v : t.data()) n += v == value;
  return n;
}

TEST(CompositionTest, HooksComposeInConfigOrder) {
  const nlohmann::json cutout = {{"type", "cutout"}, {"length", 4}, {"value", 0.0}};
  const nlohmann::json noise = {{"type", "gaussian"}, {"sigma", 0.1}};
  // Cutout last: its holes hold exactly the fill value. Cutout first: the noise covers them.
  const Batch holes_last = run_in_order({noise, cutout});
  const Batch holes_first = run_in_order({cutout, noise});
  EXPECT_GE(count_equal(holes_last.inputs, 0.0f), 8 * 4);  // at least a clipped corner each
  EXPECT_LT(count_equal(holes_first.inputs, 0.0f), 8);
  EXPECT_NE(holes_last.inputs.to_vector(), holes_first.inputs.to_vector());
}

TEST(CompositionTest, MixingAfterLabelNoiseMixesTheNoisyLabels) {
  const Batch batch =
      run_in_order({{{"type", "label_noise"}, {"rate", 1.0}}, {{"type", "mixup"}, {"alpha", 1.0}}});
  // Every label was 0 and became another class before the mix: class 0 has no weight left.
  ASSERT_EQ(batch.targets.dim(), 2);
  for (std::int64_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(batch.targets.ptr()[i * 10], 0.0f) << "sample " << i;
  }
}

}  // namespace
}  // namespace dither
