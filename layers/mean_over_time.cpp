#include "layers/mean_over_time.h"

#include "core/error.h"
#include "core/lengths.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"

namespace dither {

Tensor MeanOverTime::forward(const Tensor& x) {
  check_shape(x.dim() == 3 && x.size(1) >= 1, "mean_over_time: input ", x.shape(),
              " must be [N, T, F] with T >= 1");
  if (!sequence_lengths().defined()) return mean(x, {1});
  const std::int64_t n = x.size(0);
  const std::int64_t steps = x.size(1);
  const std::vector<std::int64_t> lengths =
      valid_steps(sequence_lengths(), n, steps, "mean_over_time");
  // Weights [N, T, 1]: 1 / L_n on sample n's valid steps, 0 on its padding.
  Tensor weights = Tensor::zeros({n, steps, 1});
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t length = lengths[static_cast<std::size_t>(i)];
    for (std::int64_t t = 0; t < length; ++t) {
      weights.ptr()[i * steps + t] = 1.0f / static_cast<float>(length);
    }
  }
  return sum(mul(x, weights), {1});
}

}  // namespace dither
