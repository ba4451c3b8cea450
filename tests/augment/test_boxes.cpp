#include <gtest/gtest.h>

#include "augment/boxes.h"
#include "hook_checks.h"

namespace dither {
namespace {

TEST(FillBoxesTest, FillsExactlyEachSamplesBoxesInEveryChannel) {
  // Two samples of 2 x 3 x 4; sample 0 has rows 1-2, columns 1-3; sample 1 one empty box.
  const Tensor x = Tensor::zeros({2, 2, 3, 4});
  const std::vector<Box> boxes = {Box{1, 1, 2, 3}, Box{}};
  const Tensor y = fill_boxes(x, boxes, 1, [](std::int64_t b, std::int64_t c, std::uint64_t i) {
    return static_cast<float>(100 * (b + 1) + 10 * c) + static_cast<float>(i % 10);
  });
  for (std::int64_t c = 0; c < 2; ++c) {
    for (std::int64_t r = 0; r < 3; ++r) {
      for (std::int64_t col = 0; col < 4; ++col) {
        const std::int64_t i = (c * 3 + r) * 4 + col;
        const bool inside = r >= 1 && col >= 1;
        EXPECT_EQ(y.ptr()[i], inside ? 100.0f + 10.0f * c + static_cast<float>(i % 10) : 0.0f);
        EXPECT_EQ(y.ptr()[24 + i], 0.0f);
      }
    }
  }
  EXPECT_EQ(x.to_vector(), std::vector<float>(48, 0.0f));
  EXPECT_THROW(fill_boxes(Tensor::zeros({2, 12}), boxes, 1,
                          [](std::int64_t, std::int64_t, std::uint64_t) { return 1.0f; }),
               ShapeError);
}

TEST(RequireImageInputsTest, NamesThePathTheDataAndAnAlternative) {
  testing::HookRig table(testing::tabular_info(4), {{{"type", "linear"}, {"out", 3}}});
  HookSetup setup{table.info(), table.model(), table.loss(), "noise[1]", {}};
  try {
    require_image_inputs(setup, "cutout");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "noise[1]: cutout erases rectangles of images [C, H, W]; this is tabular data of "
                 "shape [4] (use feature_mask instead)");
  }
  testing::HookRig images(testing::image_info(3, 8, 8),
                          {{{"type", "flatten"}}, {{"type", "linear"}, {"out", 3}}});
  EXPECT_NO_THROW(require_image_inputs(
      HookSetup{images.info(), images.model(), images.loss(), "noise[1]", {}}, "cutout"));
}

}  // namespace
}  // namespace dither
