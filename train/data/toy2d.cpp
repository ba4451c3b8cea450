#include "train/data/toy2d.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "core/error.h"
#include "core/random.h"

namespace dither {
namespace {

constexpr double kPi = std::numbers::pi;

// The dataset frame every toy set shares; `point(i, label, s)` gives sample i of class label.
template <class PointFn>
Dataset make_points(const char* name, std::int64_t n, std::int64_t classes,
                    const RandomStream& stream, const PointFn& point) {
  if (n < 0) throw ConfigError(str(name, ": size must be >= 0, got ", n));
  Dataset ds;
  ds.name = name;
  ds.kind = InputKind::points;
  ds.sample_shape = {2};
  ds.num_classes = classes;
  for (std::int64_t c = 0; c < classes; ++c) ds.class_names.push_back(std::to_string(c));
  const float inf = std::numeric_limits<float>::infinity();
  ds.value_range = {-inf, inf};
  ds.values.resize(static_cast<std::size_t>(2 * n));
  ds.labels.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::int32_t>(i % classes);
    const auto [x, y] = point(label, stream.child(static_cast<std::uint64_t>(i)));
    ds.values[static_cast<std::size_t>(2 * i)] = static_cast<float>(x);
    ds.values[static_cast<std::size_t>(2 * i + 1)] = static_cast<float>(y);
    ds.labels[static_cast<std::size_t>(i)] = label;
  }
  ds.validate();
  return ds;
}

void check_noise(const char* name, double noise) {
  if (!(noise >= 0.0)) throw ConfigError(str(name, ": noise must be >= 0, got ", noise));
}

}  // namespace

Dataset make_moons(std::int64_t n, double noise, const RandomStream& stream) {
  check_noise("moons", noise);
  return make_points("moons", n, 2, stream, [noise](std::int32_t label, const RandomStream& s) {
    const double t = kPi * s.uniform(0);
    const double x = label == 0 ? std::cos(t) : 1.0 - std::cos(t);
    const double y = label == 0 ? std::sin(t) : 0.5 - std::sin(t);
    return std::pair{x + noise * s.normal(1), y + noise * s.normal(2)};
  });
}

Dataset make_circles(std::int64_t n, double factor, double noise, const RandomStream& stream) {
  check_noise("circles", noise);
  if (!(factor > 0.0 && factor < 1.0)) {
    throw ConfigError(str("circles: factor must be in (0, 1), got ", factor));
  }
  return make_points("circles", n, 2, stream,
                     [factor, noise](std::int32_t label, const RandomStream& s) {
                       const double t = 2.0 * kPi * s.uniform(0);
                       const double r = label == 0 ? 1.0 : factor;
                       return std::pair{r * std::cos(t) + noise * s.normal(1),
                                        r * std::sin(t) + noise * s.normal(2)};
                     });
}

Dataset make_spirals(std::int64_t n, std::int64_t arms, double noise, const RandomStream& stream) {
  check_noise("spirals", noise);
  if (arms < 2) throw ConfigError(str("spirals: arms must be >= 2, got ", arms));
  return make_points(
      "spirals", n, arms, stream, [arms, noise](std::int32_t label, const RandomStream& s) {
        const double r = s.uniform(0);
        const double t = 2.0 * kPi * (static_cast<double>(label) / static_cast<double>(arms) + r) +
                         noise * s.normal(1);
        return std::pair{r * std::cos(t), r * std::sin(t)};
      });
}

std::vector<float> blob_centres(std::int64_t k, double box, const RandomStream& stream) {
  if (k < 1) throw ConfigError(str("blobs: centres must be >= 1, got ", k));
  if (!(box > 0.0)) throw ConfigError(str("blobs: box must be > 0, got ", box));
  std::vector<float> centres(static_cast<std::size_t>(2 * k));
  stream.fill_uniform(centres, static_cast<float>(-box), static_cast<float>(box));
  return centres;
}

Dataset make_blobs(std::int64_t n, const std::vector<float>& centres, double spread,
                   const RandomStream& stream) {
  if (!(spread >= 0.0)) throw ConfigError(str("blobs: std must be >= 0, got ", spread));
  check(!centres.empty() && centres.size() % 2 == 0, "blobs: centres must hold (x, y) pairs");
  const auto k = static_cast<std::int64_t>(centres.size() / 2);
  return make_points(
      "blobs", n, k, stream, [&centres, spread](std::int32_t label, const RandomStream& s) {
        const auto c = static_cast<std::size_t>(2 * label);
        return std::pair{centres[c] + spread * s.normal(0), centres[c + 1] + spread * s.normal(1)};
      });
}

}  // namespace dither
