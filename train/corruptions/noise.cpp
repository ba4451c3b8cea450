#include "train/corruptions/noise.h"

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
      // Clamped first: the result is clipped to the range anyway, and a value far outside it
      // would cost Poisson steps in proportion.
      const double mean = (clamp_to(in[i], range) - range.low) / span * photons;
      const double count =  // Poisson(0) is 0, and so is a NaN's
          mean > 0.0 ? static_cast<double>(stream.poisson(static_cast<std::uint64_t>(i), mean))
                     : 0.0;
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
