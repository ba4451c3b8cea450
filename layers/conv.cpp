#include "layers/conv.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "layers/init.h"

namespace dither {
namespace {

void check_sizes(const char* type, const Shape& stride, const Shape& padding,
                 const Shape& dilation) {
  for (std::size_t a = 0; a < stride.size(); ++a) {
    check(stride[a] >= 1 && dilation[a] >= 1 && padding[a] >= 0, type,
          ": stride and dilation must be >= 1 and padding >= 0, got stride ", stride, ", padding ",
          padding, ", dilation ", dilation);
  }
}

void check_weight(const char* type, const Tensor& weight, const Tensor& own) {
  check_shape(weight.shape() == own.shape(), type, ": weight ", weight.shape(),
              " does not match the layer's ", own.shape());
}

nlohmann::json pair(const Size2& s) { return nlohmann::json::array({s[0], s[1]}); }

}  // namespace

Convolution::Convolution(const char* type, std::int64_t in, std::int64_t out, const Shape& kernel,
                         bool bias, const std::string& init) {
  const std::int64_t taps = numel(kernel);
  check(in >= 1 && out >= 1 && taps >= 1, type,
        ": in, out and the kernel must be >= 1, got in=", in, ", out=", out, ", kernel ", kernel);
  Shape shape{out, in};
  shape.insert(shape.end(), kernel.begin(), kernel.end());
  Tensor weight = init_weight(init, shape, in * taps, out * taps);
  register_weight_and_bias(std::move(weight), bias ? init_bias({out}, in * taps) : Tensor());
}

Conv2d::Conv2d(const Conv2dOptions& options)
    : Convolution("conv2d", options.in, options.out, {options.kernel[0], options.kernel[1]},
                  options.bias, options.init),
      options_(options) {
  check_sizes("conv2d", {options.stride[0], options.stride[1]},
              {options.padding[0], options.padding[1]}, {options.dilation[0], options.dilation[1]});
}

Tensor Conv2d::forward_with(const Tensor& x, const Tensor& weight) const {
  check_weight("conv2d", weight, this->weight());
  return conv2d(x, weight, bias(), options_.stride, options_.padding, options_.dilation);
}

Tensor Conv2d::forward_relu(const Tensor& x) {
  const Tensor weight = forward_weight();
  check_weight("conv2d", weight, this->weight());
  return conv2d_relu(x, weight, bias(), options_.stride, options_.padding, options_.dilation);
}

nlohmann::json Conv2d::to_json() const {
  return {{"type", type_name()},
          {"in", options_.in},
          {"out", options_.out},
          {"kernel", pair(options_.kernel)},
          {"stride", pair(options_.stride)},
          {"padding", pair(options_.padding)},
          {"dilation", pair(options_.dilation)},
          {"bias", options_.bias},
          {"init", options_.init}};
}

std::int64_t Conv2d::flops(const Shape& input) const {
  check_shape(input.size() == 3, "conv2d: per-sample input must be [C,H,W], got ", input);
  const Conv2dOptions& o = options_;
  const std::int64_t h =
      window_output_size(input[1], o.kernel[0], o.stride[0], o.padding[0], o.dilation[0]);
  const std::int64_t w =
      window_output_size(input[2], o.kernel[1], o.stride[1], o.padding[1], o.dilation[1]);
  return weight().numel() * std::max<std::int64_t>(0, h) * std::max<std::int64_t>(0, w);
}

Conv1d::Conv1d(const Conv1dOptions& options)
    : Convolution("conv1d", options.in, options.out, {options.kernel}, options.bias, options.init),
      options_(options) {
  check_sizes("conv1d", {options.stride}, {options.padding}, {options.dilation});
}

Tensor Conv1d::forward_with(const Tensor& x, const Tensor& weight) const {
  check_weight("conv1d", weight, this->weight());
  return conv1d(x, weight, bias(), options_.stride, options_.padding, options_.dilation);
}

nlohmann::json Conv1d::to_json() const {
  return {
      {"type", type_name()},           {"in", options_.in},         {"out", options_.out},
      {"kernel", options_.kernel},     {"stride", options_.stride}, {"padding", options_.padding},
      {"dilation", options_.dilation}, {"bias", options_.bias},     {"init", options_.init}};
}

std::int64_t Conv1d::flops(const Shape& input) const {
  check_shape(input.size() == 2, "conv1d: per-sample input must be [C,L], got ", input);
  const Conv1dOptions& o = options_;
  const std::int64_t l = window_output_size(input[1], o.kernel, o.stride, o.padding, o.dilation);
  return weight().numel() * std::max<std::int64_t>(0, l);
}

}  // namespace dither
