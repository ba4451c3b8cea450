#include "core/lengths.h"

#include <cmath>

#include "core/error.h"

namespace dither {

std::vector<std::int64_t> valid_steps(const Tensor& lengths, std::int64_t batch, std::int64_t steps,
                                      std::string_view who) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(batch), steps);
  if (!lengths.defined()) return out;
  check_shape(lengths.dim() == 1 && lengths.size(0) == batch, who, ": lengths ", lengths.shape(),
              " do not fit a batch of ", batch, " samples");
  const float* l = lengths.ptr();
  for (std::int64_t i = 0; i < batch; ++i) {
    check_shape(l[i] >= 0.0f && l[i] <= static_cast<float>(steps) && std::floor(l[i]) == l[i], who,
                ": sample ", i, " has length ", l[i], ", outside the integers 0 to ", steps);
    out[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(l[i]);
  }
  return out;
}

}  // namespace dither
