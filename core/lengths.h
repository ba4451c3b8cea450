#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// Each sample's valid steps from per-sample `lengths` ([batch] floats holding integers, as
/// Batch::lengths): `steps` for every sample when `lengths` is undefined (fixed-size inputs).
/// Throws ShapeError naming `who` when the lengths do not fit a batch of `batch` samples of
/// `steps` steps (a count other than `batch`, a length outside [0, steps] or not an integer).
std::vector<std::int64_t> valid_steps(const Tensor& lengths, std::int64_t batch, std::int64_t steps,
                                      std::string_view who);

}  // namespace dither
