#include "train/corruptions/noise.h"

#include <limits>
#include <random>

#include "augment/gaussian.h"
#include "augment/salt_pepper.h"
#include "augment/speckle.h"

namespace dither {
namespace {

// ImageNet-C's tables (see noise.h for why not CIFAR-10-C's).
constexpr SeverityTable kGaussian = {0.08f, 0.12f, 0.18f, 0.26f, 0.38f};
constexpr SeverityTable kShot = {60.0f, 25.0f, 12.0f, 5.0f, 3.0f};
constexpr SeverityTable kImpulse = {0.03f, 0.06f, 0.09f, 0.17f, 0.27f};
constexpr SeverityTable kSpeckle = {0.15f, 0.20f, 0.35f, 0.45f, 0.60f};

// A uniform random bit generator over the words of Philox blocks (i, 0), (i, 1), ...: what a
// sampler with a variable number of draws needs for element i alone.
class ElementEngine {
 public:
  using result_type = std::uint32_t;
  ElementEngine(const RandomStream& stream, std::uint64_t i) : stream_(stream), i_(i) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    if (word_ == 4) {
      block_ = stream_.bits(i_, draw_++);
      word_ = 0;
    }
    return block_[word_++];
  }

 private:
  const RandomStream& stream_;
  std::uint64_t i_;
  std::uint32_t draw_ = 0;
  std::size_t word_ = 4;
  std::array<std::uint32_t, 4> block_{};
};

}  // namespace

Tensor gaussian_noise(const Tensor& images, int severity, const RandomStream& stream,
                      ValueRange range) {
  require_images(images, "gaussian_noise");
  if (severity_zero(severity, "gaussian_noise")) return images.clone();
  const float sigma = severity_value(kGaussian, severity) * (range.high - range.low);
  return add_gaussian_noise(images, sigma, stream, range.low, range.high);
}

Tensor shot_noise(const Tensor& images, int severity, const RandomStream& stream,
                  ValueRange range) {
  require_images(images, "shot_noise");
  if (severity_zero(severity, "shot_noise")) return images.clone();
  const double photons = severity_value(kShot, severity);
  const double span = range.high - range.low;
  Tensor out = Tensor::empty(images.shape());
  const float* in = images.ptr();
  float* o = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const double mean = (in[i] - range.low) / span * photons;
      if (!(mean > 0.0)) {  // Poisson(0) is 0
        o[i] = clamp_to(range.low, range);
        continue;
      }
      ElementEngine engine(stream, static_cast<std::uint64_t>(i));
      std::poisson_distribution<std::int64_t> poisson(mean);
      const double count = static_cast<double>(poisson(engine));
      o[i] = clamp_to(static_cast<float>(range.low + count / photons * span), range);
    }
  });
  return out;
}

Tensor impulse_noise(const Tensor& images, int severity, const RandomStream& stream,
                     ValueRange range) {
  require_images(images, "impulse_noise");
  if (severity_zero(severity, "impulse_noise")) return images.clone();
  return salt_and_pepper(images, severity_value(kImpulse, severity), 0.5f, range.low, range.high,
                         stream);
}

Tensor speckle_noise(const Tensor& images, int severity, const RandomStream& stream,
                     ValueRange range) {
  require_images(images, "speckle_noise");
  if (severity_zero(severity, "speckle_noise")) return images.clone();
  return add_speckle_noise(images, severity_value(kSpeckle, severity), stream, range.low,
                           range.high);
}

}  // namespace dither
