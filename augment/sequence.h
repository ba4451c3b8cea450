#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "augment/hook.h"

namespace dither {

/// Each sample's valid steps in `batch` (inputs [B, T, ...]): batch.lengths, or T for every
/// sample when the lengths are undefined (all full). Throws ShapeError naming `who` when the
/// lengths do not fit the inputs.
std::vector<std::int64_t> batch_lengths(const Batch& batch, std::string_view who);

/// Throws ConfigError naming setup.path unless the inputs are sequences [T, F]: token ids are
/// sent to token_mask, other inputs told that `technique` works on time steps.
void require_sequence_inputs(const HookSetup& setup, std::string_view technique);

}  // namespace dither
