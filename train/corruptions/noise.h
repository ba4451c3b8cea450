#pragma once

#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// The four noise corruptions of Hendrycks & Dietterich 2019 (make_imagenet_c.py and
// make_cifar_c.py compute the same formulas), on images [B, C, H, W] in [range.low,
// range.high]. The constants are ImageNet-C's, not CIFAR-10-C's weaker ones: on a Fashion-MNIST
// MLP, CIFAR-10-C's leave the accuracy within 2 points of clean even at severity 5 (measured:
// 86.6% clean, 84.8% under Gaussian noise of sigma 0.10, 87.1% under shot noise of 50 photons),
// so the severity curve would be flat and say nothing; 28 x 28 grey digits and garments have
// large flat regions and high contrast, which noise at CIFAR's level does not disturb. The
// constants are for pixels in [0, 1], scaled by high - low. Every result is clipped to the
// range, as both suites clip to [0, 1]. Severity 0 returns a copy. Element i of the result
// depends only on (stream, i): the same at any thread count.

/// x + N(0, c^2), c = 0.08, 0.12, 0.18, 0.26, 0.38 at severities 1..5.
Tensor gaussian_noise(const Tensor& images, int severity, const RandomStream& stream,
                      ValueRange range);

/// Poisson(x c) / c on x in [0, 1], c = 60, 25, 12, 5, 3 (photons per unit of intensity:
/// fewer is noisier), x clamped to the range first. Sampled by inversion from the counter-based
/// generator (RandomStream::poisson over (stream, element)), so any standard library draws the
/// same numbers.
Tensor shot_noise(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// Salt and pepper (skimage random_noise "s&p", salt_vs_pepper 0.5): each element becomes high
/// or low with probability c = 0.03, 0.06, 0.09, 0.17, 0.27 (augment/salt_pepper.h).
Tensor impulse_noise(const Tensor& images, int severity, const RandomStream& stream,
                     ValueRange range);

/// x + x N(0, c^2), c = 0.15, 0.20, 0.35, 0.45, 0.60 (augment/speckle.h): black stays black.
Tensor speckle_noise(const Tensor& images, int severity, const RandomStream& stream,
                     ValueRange range);

}  // namespace dither
