#include "layers/lstm.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/lengths.h"
#include "core/ops/activation.h"
#include "core/ops/arithmetic.h"
#include "core/ops/compare.h"
#include "core/ops/matmul.h"
#include "core/ops/shape_ops.h"
#include "layers/init.h"

namespace dither {

LSTM::LSTM(const LSTMOptions& options) : options_(options) {
  check(options.in >= 1 && options.hidden >= 1,
        "lstm: in and hidden must be >= 1, got in=", options.in, ", hidden=", options.hidden);
  const std::int64_t h = options.hidden;
  const double bound = 1.0 / std::sqrt(static_cast<double>(h));
  weight_ih_ = register_parameter("weight_ih", init_uniform({4 * h, options.in}, bound));
  weight_hh_ = register_parameter("weight_hh", init_uniform({4 * h, h}, bound));
  bias_ih_ = register_parameter("bias_ih", init_uniform({4 * h}, bound));
  bias_hh_ = register_parameter("bias_hh", init_uniform({4 * h}, bound));
}

namespace {

// [N, 1] with 1 where sample i is still within its length at step t, else 0.
Tensor step_mask(const std::vector<std::int64_t>& lengths, std::int64_t t) {
  Tensor mask = Tensor::empty({static_cast<std::int64_t>(lengths.size()), 1});
  for (std::size_t i = 0; i < lengths.size(); ++i) mask.ptr()[i] = t < lengths[i] ? 1.0f : 0.0f;
  return mask;
}

}  // namespace

Tensor LSTM::forward(const Tensor& x) {
  check_shape(x.dim() == 3 && x.size(2) == options_.in && x.size(1) >= 1, "lstm: input ", x.shape(),
              " must be [N, T, ", options_.in, "] with T >= 1");
  const std::int64_t n = x.size(0);
  const std::int64_t steps = x.size(1);
  const std::int64_t hidden = options_.hidden;
  const std::vector<std::int64_t> lengths = valid_steps(sequence_lengths(), n, steps, "lstm");
  const std::int64_t longest =
      lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
  // The input half of every gate for all steps in one GEMM: [N, T, 4H].
  const Tensor input_gates = linear(x, weight_ih_, bias_ih_);
  Tensor h = Tensor::zeros({n, hidden});
  Tensor c = Tensor::zeros({n, hidden});
  std::vector<Tensor> outputs;
  // Past the longest sample nothing changes: the last states are final and the outputs zero.
  for (std::int64_t t = 0; t < longest; ++t) {
    const Tensor gates = add(reshape(narrow(input_gates, 1, t, 1), {n, 4 * hidden}),
                             linear(h, weight_hh_, bias_hh_));
    const Tensor i = sigmoid(narrow(gates, 1, 0, hidden));
    const Tensor f = sigmoid(narrow(gates, 1, hidden, hidden));
    const Tensor g = tanh(narrow(gates, 1, 2 * hidden, hidden));
    const Tensor o = sigmoid(narrow(gates, 1, 3 * hidden, hidden));
    Tensor c_next = add(mul(f, c), mul(i, g));
    Tensor h_next = mul(o, tanh(c_next));
    if (std::any_of(lengths.begin(), lengths.end(), [t](std::int64_t l) { return l <= t; })) {
      // Samples already past their length keep their state; their output at t is zero.
      const Tensor valid = step_mask(lengths, t);
      c_next = where(valid, c_next, c);
      h_next = where(valid, h_next, h);
      if (options_.return_sequences) {
        outputs.push_back(unsqueeze(where(valid, h_next, Tensor::zeros({1, 1})), 1));
      }
    } else if (options_.return_sequences) {
      outputs.push_back(unsqueeze(h_next, 1));
    }
    c = c_next;
    h = h_next;
  }
  if (!options_.return_sequences) return h;
  if (longest < steps) outputs.push_back(Tensor::zeros({n, steps - longest, hidden}));
  return concat(outputs, 1);
}

nlohmann::json LSTM::to_json() const {
  return {{"type", type_name()},
          {"in", options_.in},
          {"hidden", options_.hidden},
          {"return_sequences", options_.return_sequences}};
}

std::int64_t LSTM::flops(const Shape& input) const {
  const std::int64_t steps = input.size() == 2 ? input[0] : 0;
  return steps * 4 * options_.hidden * (options_.in + options_.hidden);
}

}  // namespace dither
