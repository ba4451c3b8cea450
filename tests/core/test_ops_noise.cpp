#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/error.h"
#include "core/ops.h"
#include "core/ops/noise.h"
#include "expect_tensor.h"
#include "support/gradcheck.h"

namespace dither {
namespace {

using testing::tensor_is;

TEST(ApplyKeepMaskTest, ZeroesDroppedElementsAndScalesTheRest) {
  const Tensor x = Tensor::from({1.0f, -2.0f, 3.0f, 4.0f}, {2, 2});
  auto keep =
      std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{1, 0, 0, 1});
  EXPECT_TRUE(tensor_is(apply_keep_mask(x, keep, 2.0f), {2, 2}, {2.0f, 0.0f, 0.0f, 8.0f}));
  EXPECT_EQ(x.to_vector(), (std::vector<float>{1.0f, -2.0f, 3.0f, 4.0f}));
}

TEST(ApplyKeepMaskTest, GradientIsTheScaledMask) {
  std::vector<std::uint8_t> bytes(24);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = i % 3 != 0;
  auto keep = std::make_shared<const std::vector<std::uint8_t>>(bytes);
  EXPECT_TRUE(testing::gradcheck([&](const auto& in) { return apply_keep_mask(in[0], keep, 1.5f); },
                                 {testing::random_uniform({4, 6}, -1.0f, 1.0f, 1)}));
}

TEST(ApplyKeepMaskTest, RefusesAMaskOfAnotherSize) {
  auto keep = std::make_shared<const std::vector<std::uint8_t>>(3, std::uint8_t{1});
  EXPECT_THROW(apply_keep_mask(Tensor::ones({2, 2}), keep, 1.0f), ShapeError);
  EXPECT_THROW(apply_keep_mask(Tensor::ones({2, 2}), nullptr, 1.0f), ShapeError);
}

}  // namespace
}  // namespace dither
