#include "train/corruptions/blur.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace dither {
namespace {

constexpr SeverityTable kGaussianSigma = {0.4f, 0.6f, 0.7f, 0.8f, 1.0f};
constexpr SeverityTable kDiskRadius = {0.3f, 0.4f, 0.5f, 1.0f, 1.5f};
constexpr SeverityTable kDiskAlias = {0.4f, 0.5f, 0.6f, 0.2f, 0.1f};

// exp(-x^2 / (2 sigma^2)) for x in [-radius, radius], normalised to sum 1.
std::vector<double> gaussian_1d(double sigma, std::int64_t radius) {
  std::vector<double> g;
  double sum = 0.0;
  for (std::int64_t x = -radius; x <= radius; ++x) {
    g.push_back(std::exp(-static_cast<double>(x * x) / (2.0 * sigma * sigma)));
    sum += g.back();
  }
  for (double& v : g) v /= sum;
  return g;
}

// The outer product g g^T as a square kernel.
std::vector<float> outer(const std::vector<double>& g) {
  std::vector<float> k;
  for (double a : g)
    for (double b : g) k.push_back(static_cast<float>(a * b));
  return k;
}

}  // namespace

Tensor convolve_planes(const Tensor& images, const std::vector<float>& kernel) {
  const auto k = static_cast<std::int64_t>(std::lround(std::sqrt(kernel.size())));
  check(k % 2 == 1 && static_cast<std::size_t>(k * k) == kernel.size(),
        "convolve_planes: the kernel must be k x k with k odd, got ", kernel.size(), " values");
  const std::int64_t h = images.size(2);
  const std::int64_t w = images.size(3);
  const std::int64_t r = k / 2;
  return map_planes(images, [&](std::int64_t, const float* in, float* out) {
    for (std::int64_t y = 0; y < h; ++y) {
      for (std::int64_t x = 0; x < w; ++x) {
        double sum = 0.0;
        for (std::int64_t dy = -r; dy <= r; ++dy) {
          const std::int64_t sy = std::clamp<std::int64_t>(y + dy, 0, h - 1);
          for (std::int64_t dx = -r; dx <= r; ++dx) {
            const std::int64_t sx = std::clamp<std::int64_t>(x + dx, 0, w - 1);
            sum += kernel[static_cast<std::size_t>((dy + r) * k + dx + r)] * in[sy * w + sx];
          }
        }
        out[y * w + x] = static_cast<float>(sum);
      }
    }
  });
}

Tensor gaussian_blur(const Tensor& images, int severity, const RandomStream&, ValueRange) {
  require_images(images, "gaussian_blur");
  if (severity_zero(severity, "gaussian_blur")) return images.clone();
  const double sigma = severity_value(kGaussianSigma, severity);
  const auto radius = static_cast<std::int64_t>(4.0 * sigma + 0.5);  // scipy's truncate = 4
  return convolve_planes(images, outer(gaussian_1d(sigma, radius)));
}

Tensor defocus_blur(const Tensor& images, int severity, const RandomStream&, ValueRange) {
  require_images(images, "defocus_blur");
  if (severity_zero(severity, "defocus_blur")) return images.clone();
  const double radius = severity_value(kDiskRadius, severity);
  const auto reach = static_cast<std::int64_t>(std::floor(radius));
  const std::int64_t k = 2 * reach + 3;  // the disk, then one more pixel of the 3 x 3 Gaussian
  const std::int64_t c = k / 2;
  std::vector<double> disk(static_cast<std::size_t>(k * k), 0.0);
  double count = 0.0;
  for (std::int64_t y = -reach; y <= reach; ++y) {
    for (std::int64_t x = -reach; x <= reach; ++x) {
      if (static_cast<double>(x * x + y * y) > radius * radius) continue;
      disk[static_cast<std::size_t>((y + c) * k + x + c)] = 1.0;
      count += 1.0;
    }
  }
  const std::vector<double> g = gaussian_1d(severity_value(kDiskAlias, severity), 1);
  std::vector<float> kernel(disk.size(), 0.0f);
  for (std::int64_t y = 1; y < k - 1; ++y) {
    for (std::int64_t x = 1; x < k - 1; ++x) {
      const double v = disk[static_cast<std::size_t>(y * k + x)] / count;
      for (std::int64_t dy = -1; dy <= 1; ++dy)
        for (std::int64_t dx = -1; dx <= 1; ++dx)
          kernel[static_cast<std::size_t>((y + dy) * k + x + dx)] += static_cast<float>(
              v * g[static_cast<std::size_t>(dy + 1)] * g[static_cast<std::size_t>(dx + 1)]);
    }
  }
  return convolve_planes(images, kernel);
}

}  // namespace dither
