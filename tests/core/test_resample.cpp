#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "core/audio/resample.h"

namespace dither {
namespace {

TEST(ResampleTest, LengthFollowsTheRateRatio) {
  const std::vector<float> x(22050, 0.25f);
  EXPECT_EQ(resample(x, 22050.0, 16000.0).size(), 16000u);
  EXPECT_EQ(resample(x, 1.1, 1.0).size(), 20045u);
  EXPECT_TRUE(resample({}, 2.0, 1.0).empty());
}

TEST(ResampleTest, ToneKeepsItsFrequencyInHertz) {
  // 1 kHz at 22050 Hz resampled to 16 kHz: still 1000 cycles per second, amplitude kept.
  std::vector<float> x(22050);
  for (std::size_t t = 0; t < x.size(); ++t) {
    x[t] = static_cast<float>(
        std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(t) / 22050.0));
  }
  const std::vector<float> y = resample(x, 22050.0, 16000.0);
  double err = 0.0;
  for (std::size_t t = 1000; t < 15000; ++t) {
    err = std::max(err, std::abs(y[t] - std::sin(2.0 * std::numbers::pi * 1000.0 *
                                                 static_cast<double>(t) / 16000.0)));
  }
  EXPECT_LT(err, 1e-3);
}

}  // namespace
}  // namespace dither
