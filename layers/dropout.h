#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

/// Inverted dropout, as PyTorch's nn.Dropout: y = x * m / (1 - p) with m ~ Bernoulli(1 - p) per
/// element; p = 1 gives zeros. Any shape. Noise only when noise_active(), from the layer's own
/// stream noise_stream("dropout") at the current clock (mask element i from counter i); otherwise
/// the exact identity (x itself). JSON: {"type": "dropout", "p": 0.5}.
class Dropout : public Module {
 public:
  /// Throws ConfigError unless p is in [0, 1].
  explicit Dropout(double p = 0.5);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "dropout"; }
  nlohmann::json to_json() const override;

  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace dither
