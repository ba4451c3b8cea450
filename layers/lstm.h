#pragma once

#include <cstdint>

#include "layers/module.h"

namespace dither {

struct LSTMOptions {
  std::int64_t in = 0;      ///< features F per time step; inferred when built from JSON
  std::int64_t hidden = 0;  ///< hidden size H
  bool return_sequences = false;
};

/// One-layer LSTM over x: [N, T, F] from zero initial states, gates in PyTorch's order (i, f, g,
/// o):
///   gates = x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh;  c = σ(f) c + σ(i) tanh(g);  h = σ(o) tanh(c).
/// Returns the last h: [N, H], or every h: [N, T, H] with return_sequences. With per-sample
/// lengths set (Module::set_sequence_lengths; the trainer sets the batch's), sample n's states
/// stop changing after its length L_n: the last h is the state after step L_n - 1 (the zero
/// state when L_n = 0) and return_sequences gives zeros at the padded steps t >= L_n, what
/// PyTorch's pack_padded_sequence / pad_packed_sequence give; nothing in the padding reaches the
/// output or its gradient. Steps past the longest sample of the batch are not computed. Without
/// lengths every sample runs all T steps. Weights W_ih: [4H, F],
/// W_hh: [4H, H] and biases [4H] are U(±1/√H), as PyTorch's. Built from differentiable ops only.
/// JSON: {"type": "lstm", "hidden": 32, "return_sequences": false}.
class LSTM : public Module {
 public:
  /// Throws Error unless in >= 1 and hidden >= 1.
  explicit LSTM(const LSTMOptions& options);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "lstm"; }
  nlohmann::json to_json() const override;
  /// The two gate products per step: T * 4H * (F + H) for input [T, F].
  std::int64_t flops(const Shape& input) const override;

  const LSTMOptions& options() const { return options_; }

 private:
  LSTMOptions options_;
  Tensor weight_ih_;
  Tensor weight_hh_;
  Tensor bias_ih_;
  Tensor bias_hh_;
};

}  // namespace dither
