#pragma once

// Models and batches the attack and adversarial-training tests share: inputs in [0, 1] as
// images have, a smooth model, and one with BatchNorm and dropout, the layers whose state or
// noise an extra pass could disturb.

#include <nlohmann/json.hpp>

#include "core/random.h"
#include "hook_testing.h"

namespace dither::testing {

inline const nlohmann::json kPlainModel = {
    {{"type", "linear"}, {"out", 16}}, {{"type", "tanh"}}, {{"type", "linear"}, {"out", 3}}};

inline const nlohmann::json kNoisyBnModel = {{{"type", "linear"}, {"out", 8}},
                                             {{"type", "batch_norm1d"}},
                                             {{"type", "relu"}},
                                             {{"type", "dropout"}, {"p", 0.3}},
                                             {{"type", "linear"}, {"out", 3}}};

/// Five features in [0, 1], three classes.
inline InputInfo unit_range_info() {
  InputInfo info = tabular_info(5);
  info.low = 0.0f;
  info.high = 1.0f;
  return info;
}

/// 16 samples of unit_range_info(), classes 0, 1, 2 in turn.
inline Batch random_batch(const HookRig& rig, std::uint64_t seed) {
  return rig.batch(Tensor::rand({16, 5}, RandomStream(seed, "x")),
                   Tensor::from({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, {16}));
}

}  // namespace dither::testing
