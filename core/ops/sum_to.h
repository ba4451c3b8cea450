#pragma once

#include "core/tensor.h"

namespace dither {

/// Undoes broadcasting: `grad` summed over every axis along which `shape` was broadcast, so the
/// result has `shape`. Every broadcasting op wraps each input's gradient in it.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace dither
