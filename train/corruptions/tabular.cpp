#include "train/corruptions/tabular.h"

#include <cmath>

#include "augment/pointwise_noise.h"

namespace dither {
namespace {

constexpr SeverityTable kNoise = {0.1f, 0.2f, 0.3f, 0.5f, 0.8f};
constexpr SeverityTable kMissing = {0.05f, 0.1f, 0.2f, 0.3f, 0.5f};
constexpr SeverityTable kShift = {0.1f, 0.2f, 0.3f, 0.5f, 0.8f};
constexpr SeverityTable kScale = {1.1f, 1.25f, 1.5f, 2.0f, 3.0f};

std::int64_t check_rows(const Tensor& rows, const FeatureStats& stats, const char* corruption) {
  check_shape(rows.dim() == 2 && rows.size(1) == static_cast<std::int64_t>(stats.mean.size()),
              corruption, ": needs rows [B, ", stats.mean.size(), "], got ", rows.shape());
  return rows.size(1);
}

// +1 or -1 for feature f.
float feature_sign(const RandomStream& stream, std::int64_t f) {
  return stream.bernoulli(static_cast<std::uint64_t>(f), 0.5) ? 1.0f : -1.0f;
}

// out[i] = f(x[i], feature of i), no draws.
template <class Fn>
Tensor map_features(const Tensor& rows, std::int64_t features, const Fn& fn) {
  Tensor out = Tensor::empty(rows.shape());
  const float* in = rows.ptr();
  float* o = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) o[i] = fn(in[i], i % features);
  });
  return out;
}

}  // namespace

FeatureStats FeatureStats::from_training(const Tensor& rows, MaskFill fill) {
  check_shape(rows.dim() == 2 && rows.size(0) >= 1,
              "feature statistics: need training rows [n >= 1, F], got ", rows.shape());
  const std::int64_t n = rows.size(0);
  const std::int64_t features = rows.size(1);
  std::vector<double> sum(static_cast<std::size_t>(features), 0.0);
  std::vector<double> squares(static_cast<std::size_t>(features), 0.0);
  const float* x = rows.ptr();
  for (std::int64_t r = 0; r < n; ++r) {
    for (std::int64_t f = 0; f < features; ++f)
      sum[static_cast<std::size_t>(f)] += x[r * features + f];
  }
  FeatureStats stats;
  for (std::int64_t f = 0; f < features; ++f) {
    const double mean = sum[static_cast<std::size_t>(f)] / static_cast<double>(n);
    for (std::int64_t r = 0; r < n; ++r) {
      const double d = x[r * features + f] - mean;
      squares[static_cast<std::size_t>(f)] += d * d;
    }
    const double sd = std::sqrt(squares[static_cast<std::size_t>(f)] / static_cast<double>(n));
    stats.mean.push_back(static_cast<float>(mean));
    stats.std.push_back(sd > 0.0 ? static_cast<float>(sd) : 1.0f);
  }
  stats.fill = FeatureFill::from_training(fill, rows);
  return stats;
}

Tensor feature_noise(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats) {
  const std::int64_t features = check_rows(rows, stats, "feature_noise");
  if (severity_zero(severity, "feature_noise")) return rows.clone();
  const float c = severity_value(kNoise, severity);
  return map_with_draws(
      rows, [&](std::span<float> z) { stream.fill_normal(z, 0.0f, 1.0f); },
      [&](float v, float z, std::uint64_t i) {
        return v +
               c * stats.std[static_cast<std::size_t>(static_cast<std::int64_t>(i) % features)] * z;
      });
}

Tensor missing_features(const Tensor& rows, int severity, const RandomStream& stream,
                        const FeatureStats& stats) {
  check_rows(rows, stats, "missing_features");
  if (severity_zero(severity, "missing_features")) return rows.clone();
  return mask_features(rows, severity_value(kMissing, severity), stats.fill, stream);
}

Tensor feature_shift(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats) {
  const std::int64_t features = check_rows(rows, stats, "feature_shift");
  if (severity_zero(severity, "feature_shift")) return rows.clone();
  const float c = severity_value(kShift, severity);
  return map_features(rows, features, [&](float v, std::int64_t f) {
    return v + feature_sign(stream, f) * c * stats.std[static_cast<std::size_t>(f)];
  });
}

Tensor feature_scale(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats) {
  const std::int64_t features = check_rows(rows, stats, "feature_scale");
  if (severity_zero(severity, "feature_scale")) return rows.clone();
  const float k = severity_value(kScale, severity);
  return map_features(rows, features, [&](float v, std::int64_t f) {
    const float mean = stats.mean[static_cast<std::size_t>(f)];
    return mean + (v - mean) * (feature_sign(stream, f) > 0 ? k : 1.0f / k);
  });
}

}  // namespace dither
