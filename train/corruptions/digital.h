#pragma once

#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

// Brightness, contrast, pixelation (CIFAR-10-C, make_cifar_c.py) and occlusion on images
// [B, C, H, W] in [range.low, range.high]; constants for pixels in [0, 1], scaled by
// high - low. Severity 0 returns a copy; results stay in the range.

/// x + c clipped, c = 0.05, 0.1, 0.15, 0.2, 0.3. CIFAR-10-C adds c to the V of HSV; for a grey
/// pixel V is the pixel itself, so this is the same corruption; on colour images dither adds c
/// to every channel (which also raises V by c, but keeps the hue only up to clipping).
Tensor brightness(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// (x - m) c + m with m each plane's mean, c = 0.75, 0.5, 0.4, 0.3, 0.15.
Tensor contrast(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// Down to floor(H c) x floor(W c) and back up, both with a box filter (stb_image_resize's
/// STBIR_FILTER_BOX; CIFAR-10-C uses PIL's Image.BOX), c = 0.9, 0.8, 0.7, 0.6, 0.5 (25, 22, 19,
/// 16 and 14 pixels of 28). CIFAR-10-C's c = 0.95, 0.9, 0.85, 0.75, 0.65 give 26 and 25 pixels
/// on a 28-pixel side: one pixel apart, the resampling's aliasing makes severity 2 milder than
/// 1 (measured); steps of about 3 pixels make the lost detail grow with severity.
Tensor pixelate(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

/// Not in CIFAR-10-C (dither's table): `severity` square patches of side round(min(H, W) / 4)
/// (7 pixels on 28 x 28) per image, filled with range.low in every channel (black, as Cutout),
/// each centred on a uniform pixel (stream.integer over (image, patch)) and cut at the border
/// as Cutout's are. Patch k of an image is the same at every severity, so the occluded area
/// only grows.
Tensor occlusion(const Tensor& images, int severity, const RandomStream& stream, ValueRange range);

}  // namespace dither
