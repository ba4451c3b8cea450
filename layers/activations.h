#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "layers/module.h"

namespace dither {

/// A parameter-free module over one core op, applied to x: [N, ...] -> the same shape.
class Activation : public Module {
 public:
  Tensor forward(const Tensor& x) override { return fn_(x); }
  std::string type_name() const override { return type_; }

 protected:
  Activation(std::string type, std::function<Tensor(const Tensor&)> fn)
      : type_(std::move(type)), fn_(std::move(fn)) {}

 private:
  std::string type_;
  std::function<Tensor(const Tensor&)> fn_;
};

/// max(x, 0). JSON: {"type": "relu"}.
class ReLU : public Activation {
 public:
  ReLU();
};

/// x for x > 0, slope * x otherwise. JSON: {"type": "leaky_relu", "slope": 0.01}.
class LeakyReLU : public Activation {
 public:
  explicit LeakyReLU(double slope = 0.01);
  nlohmann::json to_json() const override;
  double slope() const { return slope_; }

 private:
  double slope_;
};

/// x Φ(x), the exact erf form. JSON: {"type": "gelu"}.
class GELU : public Activation {
 public:
  GELU();
};

/// tanh(x). JSON: {"type": "tanh"}.
class Tanh : public Activation {
 public:
  Tanh();
};

/// 1 / (1 + e^-x). JSON: {"type": "sigmoid"}.
class Sigmoid : public Activation {
 public:
  Sigmoid();
};

/// x for x > 0, alpha (e^x - 1) otherwise. JSON: {"type": "elu", "alpha": 1.0}.
class ELU : public Activation {
 public:
  explicit ELU(double alpha = 1.0);
  nlohmann::json to_json() const override;
  double alpha() const { return alpha_; }

 private:
  double alpha_;
};

/// scale * elu(x, alpha) with PyTorch's self-normalising constants. JSON: {"type": "selu"}.
class SELU : public Activation {
 public:
  SELU();
};

/// Softmax along `axis` of the batched tensor (negative counts from the end; -1 = classes of
/// [N, K]). JSON: {"type": "softmax", "axis": -1}.
class Softmax : public Activation {
 public:
  explicit Softmax(std::int64_t axis = -1);
  nlohmann::json to_json() const override;
  std::int64_t axis() const { return axis_; }

 private:
  std::int64_t axis_;
};

}  // namespace dither
