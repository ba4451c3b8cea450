#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/random.h"
#include "core/tensor.h"

namespace dither {

/// Kaiming (He) uniform: U(-b, b), b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)).
/// a = 0 suits ReLU; a = sqrt(5) gives PyTorch's Linear/Conv default b = 1 / sqrt(fan_in).
Tensor kaiming_uniform(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                       const RandomStream& stream, double a = 0.0);
/// Kaiming (He) normal: N(0, std^2), std = gain / sqrt(fan_in), gain as in kaiming_uniform.
Tensor kaiming_normal(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                      const RandomStream& stream, double a = 0.0);
/// Xavier (Glorot) uniform: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                      const RandomStream& stream, double gain = 1.0);
/// Xavier (Glorot) normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal(Shape shape, std::int64_t fan_in, std::int64_t fan_out,
                     const RandomStream& stream, double gain = 1.0);

/// Values a layer's "init" key accepts: "default" (PyTorch's: kaiming_uniform with a = sqrt(5)),
/// "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal" (the last four with
/// their textbook gains: a = 0, gain = 1).
const std::vector<std::string>& init_schemes();

/// The layer's "init" key, "default" when absent; an unknown scheme is a ConfigError naming the
/// path with a suggestion. Every layer with a weight reads the key through this.
std::string read_init(const JsonReader& reader);

/// Names the streams parameter initialisation draws from while it is alive on this thread:
/// the k-th tensor a layer initialises draws RandomStream(seed, "init:" + path, {k}). The
/// registry opens one per layer it builds, so a layer's initial weights depend on the seed and
/// its place in the config only, never on what was built before. Outside every scope (a layer
/// constructed by hand), init draws default_generator().next("init"), which manual_seed() resets.
class InitScope {
 public:
  InitScope(std::uint64_t seed, std::string path);
  ~InitScope();
  InitScope(const InitScope&) = delete;
  InitScope& operator=(const InitScope&) = delete;

  /// The seed of the innermost scope on this thread, 0 outside every scope.
  static std::uint64_t current_seed();

 private:
  friend RandomStream init_stream();
  std::uint64_t seed_;
  std::string path_;
  std::uint64_t drawn_ = 0;
  InitScope* outer_;
};

/// The next initialisation stream: from the innermost InitScope, else default_generator().
RandomStream init_stream();

/// A weight of `shape` initialised by `scheme` (one of init_schemes()), from init_stream().
Tensor init_weight(const std::string& scheme, Shape shape, std::int64_t fan_in,
                   std::int64_t fan_out);
/// PyTorch's bias default U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from init_stream().
Tensor init_bias(Shape shape, std::int64_t fan_in);
/// U(-bound, bound) from init_stream() (LSTM gates use bound 1/sqrt(hidden)).
Tensor init_uniform(Shape shape, double bound);
/// N(0, std^2) from init_stream() (embedding tables use std 1).
Tensor init_normal(Shape shape, double std);

}  // namespace dither
