#pragma once

#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// Small rotations and translations of images [B, C, H, W] (not in CIFAR-10-C; ImageNet-P
// perturbs with the like; dither's tables, for 28 x 28 and 32 x 32 images). Each output pixel
// is read from its source position by bilinear interpolation, the pixels beyond the border
// being range.low (black, torchvision's fill 0). The sampler is a few lines here because no
// Debian library fits: stb_image_resize scales but does not rotate, and the rest (OpenCV,
// ImageMagick) would be a large dependency for it. The direction of each image is drawn from
// the stream (element b: the same at every severity, so only the amount grows).

/// Rotation about the image centre by +-c degrees (sign per image), c = 3, 6, 9, 12, 15.
Tensor rotate(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// Translation by c pixels in a uniform direction per image, c = 1, 2, 3, 4, 5 (sub-pixel
/// shifts are interpolated).
Tensor translate(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// An affine map of pixel coordinates (y, x): a (y, x) + t.
struct Affine {
  double a[2][2];
  double t[2];
};

}  // namespace dither
