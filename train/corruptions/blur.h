#pragma once

#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// The two blurs of CIFAR-10-C (make_cifar_c.py) on images [B, C, H, W], each plane filtered
// alone. Pixels past the border repeat the edge ("nearest", skimage's gaussian default; OpenCV's
// filter2D, used for CIFAR-10-C's defocus, reflects instead: on a black background the two
// agree). CIFAR's radii are in pixels of a 32 x 32 image and kept for 28 x 28 ones. Severity 0
// returns a copy; the stream is unused (blurs are deterministic) and kept for one signature.

/// Gaussian filter of sigma c = 0.4, 0.6, 0.7, 0.8, 1.0 pixels, truncated at 4 sigma (scipy's
/// gaussian_filter), normalised to sum 1.
Tensor gaussian_blur(const Tensor& images, int severity, const RandomStream& stream,
                     ValueRange range);

/// Defocus: the mean over a disk of radius r (the pixels with x^2 + y^2 <= r^2), smoothed by a
/// 3 x 3 Gaussian of sigma a (CIFAR-10-C's disk(radius, alias_blur)), (r, a) = (0.3, 0.4),
/// (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1): below radius 1 the disk is one pixel and the
/// kernel is the 3 x 3 Gaussian alone.
Tensor defocus_blur(const Tensor& images, int severity, const RandomStream& stream,
                    ValueRange range);

/// out = in convolved with a square kernel k x k (k odd, row-major, centred), edges repeated.
Tensor convolve_planes(const Tensor& images, const std::vector<float>& kernel);

}  // namespace dither
