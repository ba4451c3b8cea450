#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/random.h"
#include "layers/module.h"

namespace dither {

/// log(u + 1e-7) - log(1 - u + 1e-7), u ~ U[0, 1) per element of `shape` (element k of
/// stream.fill_uniform's bulk draw): the logistic noise of Concrete Dropout's relaxed mask, with
/// the reference's 1e-7 guards. A constant.
Tensor logistic_noise(const Shape& shape, const RandomStream& stream);

/// Concrete Dropout's relaxed mask applied to x: x * z / (1 - p) with p = sigmoid(logit) and
/// z = 1 - sigmoid((logit + noise) / temperature). logit: [1]; noise: logistic_noise of x's shape.
/// logit stands for log p - log(1 - p), which it equals exactly (the reference adds 1e-7 inside
/// those two logs). Differentiable in x and logit.
Tensor concrete_dropout(const Tensor& x, const Tensor& logit, const Tensor& noise,
                        double temperature);

/// The regulariser of Gal, Hron and Kendall (2017) for one layer, a scalar:
/// weight_regularizer * sum_sq / (1 - p) + dropout_regularizer * features * (p log p +
/// (1 - p) log(1 - p)), p = sigmoid(logit); sum_sq: the sum of squares of the following layer's
/// parameters (a differentiable scalar). Differentiable in logit and sum_sq.
Tensor concrete_dropout_regularizer(const Tensor& logit, const Tensor& sum_sq,
                                    std::int64_t features, double weight_regularizer,
                                    double dropout_regularizer);

/// Options of ConcreteDropout, with the reference code's defaults (yaringal/ConcreteDropout).
struct ConcreteDropoutOptions {
  double init_p = 0.1;       ///< in (0, 1)
  double temperature = 0.1;  ///< > 0
  /// l^2 / (tau N) in the paper's terms: prior length-scale l, precision tau, N training samples.
  double weight_regularizer = 1e-6;
  /// 2 / (tau N).
  double dropout_regularizer = 1e-5;
};

/// Concrete Dropout (Gal, Hron, Kendall, NeurIPS 2017) before a layer: a dropout whose rate
/// p = sigmoid(logit) is trained, through the relaxed mask of concrete_dropout() drawn from
/// noise_stream("concrete_dropout"). forward(x) = layer(concrete_dropout(x)) while
/// noise_active(), else layer(x) (inverted scaling: the expected input; MC sampling keeps the
/// mask on, where the reference applies it at test time always). regularization() is
/// concrete_dropout_regularizer with sum_sq over every parameter of the wrapped layer and
/// features the per-sample size of x; the trainer adds it to the loss. A larger
/// dropout_regularizer pulls p towards 0.5 (it rewards the mask's entropy); a larger
/// weight_regularizer pulls p down. Parameter "logit"; reports "concrete_p" (p).
/// JSON: {"type": "concrete_dropout", "init_p": 0.1, "temperature": 0.1,
///        "weight_regularizer": 1e-6, "dropout_regularizer": 1e-5,
///        "layer": {"type": "linear", "out": 64}}.
class ConcreteDropout : public Module {
 public:
  /// `features`: elements of one sample of the input. Throws ConfigError on options out of range.
  ConcreteDropout(std::shared_ptr<Module> layer, std::int64_t features,
                  ConcreteDropoutOptions options = {});

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "concrete_dropout"; }
  nlohmann::json to_json() const override;
  std::int64_t flops(const Shape& input) const override;
  Tensor regularization() const override;
  std::vector<std::pair<std::string, double>> report() const override;

  /// The current drop probability sigmoid(logit).
  double p() const;
  const Tensor& logit() const { return logit_; }
  const std::shared_ptr<Module>& layer() const { return layer_; }

 private:
  std::shared_ptr<Module> layer_;
  std::int64_t features_;
  ConcreteDropoutOptions options_;
  Tensor logit_;
};

}  // namespace dither
