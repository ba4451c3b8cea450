#pragma once

#include <cstdint>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

class RandomStream;

/// Two-dimensional teaching sets (InputKind::points, sample shape [2], unbounded values). The
/// classes take turns, so they are balanced, and sample i depends only on (stream, i).

/// Two interleaved half circles (sklearn's make_moons), plus N(0, noise^2) per coordinate.
Dataset make_moons(std::int64_t n, double noise, const RandomStream& stream);

/// A circle of radius 1 (class 0) around one of radius `factor` in (0, 1) (class 1), plus noise.
Dataset make_circles(std::int64_t n, double factor, double noise, const RandomStream& stream);

/// `arms` spiral arms of radius 0 to 1 winding one full turn, one class per arm; the angle
/// gets N(0, noise^2) radians.
Dataset make_spirals(std::int64_t n, std::int64_t arms, double noise, const RandomStream& stream);

/// `k` cluster centres drawn uniformly in [-box, box]^2, flattened [x0, y0, x1, y1, ...]. Train
/// and test sets share them, so draw them once from their own stream.
std::vector<float> blob_centres(std::int64_t k, double box, const RandomStream& stream);

/// Gaussian blobs of std `spread` around `centres` (from blob_centres), one class per centre.
Dataset make_blobs(std::int64_t n, const std::vector<float>& centres, double spread,
                   const RandomStream& stream);

}  // namespace dither
