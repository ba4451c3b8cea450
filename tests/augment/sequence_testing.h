#pragma once

// Sequence and token batches for the hooks that respect per-sample lengths.

#include <cstdint>
#include <vector>

#include "core/random.h"
#include "hook_testing.h"

namespace dither::testing {

/// Sequence data facts: [steps, features], unbounded, `classes` classes.
inline InputInfo sequence_info(std::int64_t steps, std::int64_t features,
                               std::int64_t classes = 3) {
  InputInfo info;
  info.kind = InputKind::sequence;
  info.sample_shape = {steps, features};
  info.num_classes = classes;
  return info;
}

/// A model for per-sample [T, F] inputs.
inline nlohmann::json sequence_model() {
  return nlohmann::json::parse(R"([{"type": "flatten"}, {"type": "linear", "out": 3}])");
}

/// n sequences [n, T, F]: valid values in [1, 2) (never 0), lengths uniform in [0, T], and
/// padding filled with -7 so that any change to it shows.
inline Batch padded_sequences(HookRig& rig, std::int64_t n, std::int64_t steps,
                              std::int64_t features, std::uint64_t seed = 1) {
  const RandomStream s(seed, "padded_sequences");
  Tensor x = Tensor::empty({n, steps, features});
  Tensor lengths = Tensor::empty({n});
  for (std::int64_t b = 0; b < n; ++b) {
    const std::int64_t length = s.child(0).integer(static_cast<std::uint64_t>(b), steps + 1);
    lengths.ptr()[b] = static_cast<float>(length);
    for (std::int64_t t = 0; t < steps; ++t) {
      for (std::int64_t f = 0; f < features; ++f) {
        const std::int64_t i = (b * steps + t) * features + f;
        x.ptr()[i] = t < length ? 1.0f + s.child(1).uniform(static_cast<std::uint64_t>(i)) : -7.0f;
      }
    }
  }
  Batch batch = rig.batch(x, Tensor::zeros({n}));
  batch.lengths = lengths;
  return batch;
}

/// The lengths of `batch` as integers.
inline std::vector<std::int64_t> lengths_of(const Batch& batch) {
  std::vector<std::int64_t> out;
  for (float l : batch.lengths.data()) out.push_back(static_cast<std::int64_t>(l));
  return out;
}

}  // namespace dither::testing
