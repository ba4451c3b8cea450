#include "layers/concrete_dropout.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/activation.h"
#include "core/ops/arithmetic.h"
#include "core/ops/reduce.h"
#include "core/ops/unary.h"
#include "core/parallel.h"

namespace dither {

Tensor logistic_noise(const Shape& shape, const RandomStream& stream) {
  Tensor noise = Tensor::empty(shape);
  stream.fill_uniform(noise.data(), 0.0f, 1.0f);
  float* p = noise.ptr();
  constexpr double kEps = 1e-7;
  parallel_for(noise.numel(), [p](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const double u = p[i];
      p[i] = static_cast<float>(std::log(u + kEps) - std::log(1.0 - u + kEps));
    }
  });
  return noise;
}

Tensor concrete_dropout(const Tensor& x, const Tensor& logit, const Tensor& noise,
                        double temperature) {
  check_shape(noise.shape() == x.shape(), "concrete_dropout: noise ", noise.shape(),
              " does not match the input ", x.shape());
  check_shape(logit.numel() == 1, "concrete_dropout: logit must hold one value, got ",
              logit.shape());
  const Tensor drop = sigmoid(div(add(noise, logit), static_cast<float>(temperature)));
  // 1 - p = sigmoid(-logit), without forming p.
  return div(mul(x, rsub(1.0f, drop)), sigmoid(neg(logit)));
}

Tensor concrete_dropout_regularizer(const Tensor& logit, const Tensor& sum_sq,
                                    std::int64_t features, double weight_regularizer,
                                    double dropout_regularizer) {
  const Tensor p = sigmoid(logit);
  const Tensor keep = sigmoid(neg(logit));
  const Tensor weights = mul(div(sum_sq, keep), static_cast<float>(weight_regularizer));
  const Tensor neg_entropy = add(mul(p, log(p)), mul(keep, log(keep)));
  return sum(add(weights, mul(neg_entropy, static_cast<float>(dropout_regularizer *
                                                              static_cast<double>(features)))));
}

ConcreteDropout::ConcreteDropout(std::shared_ptr<Module> layer, std::int64_t features,
                                 ConcreteDropoutOptions options)
    : layer_(std::move(layer)), features_(features), options_(options) {
  if (layer_ == nullptr) throw ConfigError("concrete_dropout: needs a layer to wrap");
  const auto& o = options_;
  if (!(o.init_p > 0.0 && o.init_p < 1.0))
    throw ConfigError(str("concrete_dropout: init_p must be in (0, 1), got ", o.init_p));
  if (!(o.temperature > 0.0) || !std::isfinite(o.temperature))
    throw ConfigError(str("concrete_dropout: temperature must be > 0, got ", o.temperature));
  if (!(o.weight_regularizer >= 0.0) || !(o.dropout_regularizer >= 0.0)) {
    throw ConfigError(str("concrete_dropout: the regularizer weights must be >= 0, got ",
                          o.weight_regularizer, " and ", o.dropout_regularizer));
  }
  check(features_ >= 1, "concrete_dropout: features must be >= 1, got ", features_);
  logit_ = register_parameter(
      "logit", Tensor::full({1}, static_cast<float>(std::log(o.init_p / (1.0 - o.init_p)))));
  register_module("layer", layer_);
}

Tensor ConcreteDropout::forward(const Tensor& x) {
  if (!noise_active()) return layer_->forward(x);
  const Tensor noise = logistic_noise(x.shape(), noise_stream(type_name()));
  return layer_->forward(concrete_dropout(x, logit_, noise, options_.temperature));
}

Tensor ConcreteDropout::regularization() const {
  Tensor sum_sq;
  for (const Tensor& w : layer_->parameters()) {
    const Tensor s = sum(square(w));
    sum_sq = sum_sq.defined() ? add(sum_sq, s) : s;
  }
  if (!sum_sq.defined()) sum_sq = Tensor::scalar(0.0f);
  return concrete_dropout_regularizer(logit_, sum_sq, features_, options_.weight_regularizer,
                                      options_.dropout_regularizer);
}

double ConcreteDropout::p() const {
  return 1.0 / (1.0 + std::exp(-static_cast<double>(logit_.ptr()[0])));
}

nlohmann::json ConcreteDropout::to_json() const {
  return {{"type", type_name()},
          {"init_p", options_.init_p},
          {"temperature", options_.temperature},
          {"weight_regularizer", options_.weight_regularizer},
          {"dropout_regularizer", options_.dropout_regularizer},
          {"layer", layer_->to_json()}};
}

std::int64_t ConcreteDropout::flops(const Shape& input) const { return layer_->flops(input); }

std::vector<std::pair<std::string, double>> ConcreteDropout::report() const {
  return {{"concrete_p", p()}};
}

}  // namespace dither
