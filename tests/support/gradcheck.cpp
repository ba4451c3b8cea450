#include "support/gradcheck.h"

#include <algorithm>
#include <cmath>

#include "core/autograd.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "core/random.h"

namespace dither::testing {

Tensor random_uniform(const Shape& shape, float low, float high, std::uint64_t seed) {
  return Tensor::rand(shape, RandomStream(seed, "test-input"), low, high);
}

::testing::AssertionResult gradcheck(const OpFn& op, std::vector<Tensor> inputs,
                                     const GradCheckOptions& options) {
  for (Tensor& in : inputs) in = in.clone().set_requires_grad(true);
  auto forward = [&] {
    manual_seed(options.seed);
    return op(inputs);
  };
  Tensor first = forward();
  const Tensor weights = random_uniform(first.shape(), -1.0f, 1.0f, options.seed + 1);
  auto objective = [&] {
    NoGradGuard no_grad;
    const Tensor out = forward();
    double total = 0.0;
    for (std::int64_t i = 0; i < out.numel(); ++i) {
      total += static_cast<double>(out.data()[static_cast<std::size_t>(i)]) *
               weights.data()[static_cast<std::size_t>(i)];
    }
    return total;
  };
  sum(mul(first, weights)).backward();

  for (std::size_t t = 0; t < inputs.size(); ++t) {
    if (!options.check_inputs.empty() && !options.check_inputs[t]) continue;
    const Tensor analytic = inputs[t].grad();
    if (!analytic.defined()) {
      return ::testing::AssertionFailure() << "input " << t << " got no gradient";
    }
    for (std::int64_t k = 0; k < inputs[t].numel(); ++k) {
      float& x = inputs[t].data()[static_cast<std::size_t>(k)];
      if (std::abs(std::abs(x) - options.kink) <= options.kink_range) continue;
      const float saved = x;
      x = static_cast<float>(saved + options.step);
      const double f_plus = objective();
      x = static_cast<float>(saved - options.step);
      const double f_minus = objective();
      x = saved;
      const double numeric = (f_plus - f_minus) / (2.0 * options.step);
      const double a = analytic.data()[static_cast<std::size_t>(k)];
      const double scale = std::max({1.0, std::abs(numeric), std::abs(a)});
      if (!(std::abs(a - numeric) <= options.tolerance * scale)) {
        return ::testing::AssertionFailure() << "input " << t << " element " << k << ": analytic "
                                             << a << " vs numeric " << numeric;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace dither::testing
