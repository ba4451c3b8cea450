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
/// Returns the last h: [N, H], or every h: [N, T, H] with return_sequences. Every sequence runs
/// all T steps: per-sample lengths (padding masks) are not supported. Weights W_ih: [4H, F],
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
