#include "core/ops/sum_to.h"

#include "core/error.h"
#include "core/ops/map.h"

namespace dither {

std::vector<std::int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<std::int64_t> strides(out.size(), 0);
  std::int64_t stride = 1;
  const std::size_t offset = out.size() - shape.size();
  for (std::size_t d = shape.size(); d-- > 0;) {
    strides[d + offset] = shape[d] == 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const Shape& from = grad.shape();
  check_shape(broadcast_shapes(shape, from, "sum_to") == from, "sum_to: cannot reduce ", from,
              " to ", shape);
  Tensor out = Tensor::zeros(shape);
  float* po = out.ptr();
  const float* pg = grad.ptr();
  if (from.empty()) {
    po[0] = pg[0];
    return out;
  }
  const auto strides = broadcast_strides(shape, from);
  const std::size_t last = from.size() - 1;
  const std::int64_t inner = from[last];
  const std::int64_t step = strides[last];
  const std::int64_t rows = grad.numel() / std::max<std::int64_t>(inner, 1);
  // Serial on purpose: output slots receive many rows, and the order of those sums stays fixed.
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t rest = r;
    std::int64_t offset = 0;
    for (std::size_t d = last; d-- > 0;) {
      offset += (rest % from[d]) * strides[d];
      rest /= from[d];
    }
    const float* row = pg + r * inner;
    if (step == 0) {
      double acc = 0.0;
      for (std::int64_t j = 0; j < inner; ++j) acc += row[j];
      po[offset] += static_cast<float>(acc);
    } else {
      for (std::int64_t j = 0; j < inner; ++j) po[offset + j] += row[j];
    }
  }
  return out;
}

}  // namespace dither
