#include "layers/linear.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/matmul.h"
#include "layers/init.h"

namespace dither {

Linear::Linear(const LinearOptions& options) : options_(options) {
  check(options.in >= 1 && options.out >= 1, "linear: in and out must be >= 1, got in=", options.in,
        ", out=", options.out);
  Tensor weight = init_weight(options.init, {options.out, options.in}, options.in, options.out);
  register_weight_and_bias(std::move(weight),
                           options.bias ? init_bias({options.out}, options.in) : Tensor());
}

Tensor Linear::forward_with(const Tensor& x, const Tensor& weight) const {
  check_shape(x.dim() >= 2 && x.size(-1) == options_.in, "linear: input ", x.shape(),
              " must be [N, ..., ", options_.in, "] for weight ", this->weight().shape());
  check_shape(weight.shape() == this->weight().shape(), "linear: weight ", weight.shape(),
              " does not match the layer's ", this->weight().shape());
  return linear(x, weight, bias());
}

nlohmann::json Linear::to_json() const {
  return {{"type", type_name()},
          {"in", options_.in},
          {"out", options_.out},
          {"bias", options_.bias},
          {"init", options_.init}};
}

std::int64_t Linear::flops(const Shape& input) const {
  return numel(input) / options_.in * options_.in * options_.out;
}

}  // namespace dither
