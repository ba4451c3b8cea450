#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace dither {

/// Tensors under stable names, in a fixed order: state dicts of modules and optimisers.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

}  // namespace dither
