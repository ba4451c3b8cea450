#include "layers/pool.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/pool.h"
#include "core/ops/shape_ops.h"

namespace dither {
namespace {

// Fills in the stride and checks every size; the ops check them against the input.
Pool2dOptions resolved(const char* type, Pool2dOptions options) {
  if (!options.stride) options.stride = options.kernel;
  const Size2& k = options.kernel;
  const Size2& s = *options.stride;
  const Size2& p = options.padding;
  for (std::size_t a = 0; a < 2; ++a) {
    check(k[a] >= 1 && s[a] >= 1 && p[a] >= 0 && 2 * p[a] <= k[a], type,
          ": kernel and stride must be >= 1 and padding between 0 and half the kernel, got ",
          "kernel [", k[0], ",", k[1], "], stride [", s[0], ",", s[1], "], padding [", p[0], ",",
          p[1], "]");
  }
  return options;
}

nlohmann::json pool_json(const std::string& type, const Pool2dOptions& o) {
  return {{"type", type},
          {"kernel", {o.kernel[0], o.kernel[1]}},
          {"stride", {(*o.stride)[0], (*o.stride)[1]}},
          {"padding", {o.padding[0], o.padding[1]}}};
}

std::int64_t pool_flops(const char* type, const Pool2dOptions& o, const Shape& input) {
  check_shape(input.size() == 3, type, ": per-sample input must be [C,H,W], got ", input);
  const std::int64_t h = window_output_size(input[1], o.kernel[0], (*o.stride)[0], o.padding[0]);
  const std::int64_t w = window_output_size(input[2], o.kernel[1], (*o.stride)[1], o.padding[1]);
  return input[0] * std::max<std::int64_t>(0, h) * std::max<std::int64_t>(0, w) * o.kernel[0] *
         o.kernel[1];
}

}  // namespace

MaxPool2d::MaxPool2d(const Pool2dOptions& options) : options_(resolved("max_pool2d", options)) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return max_pool2d(x, options_.kernel, *options_.stride, options_.padding);
}

nlohmann::json MaxPool2d::to_json() const { return pool_json(type_name(), options_); }

std::int64_t MaxPool2d::flops(const Shape& input) const {
  return pool_flops("max_pool2d", options_, input);
}

AvgPool2d::AvgPool2d(const Pool2dOptions& options, bool count_include_pad)
    : options_(resolved("avg_pool2d", options)), count_include_pad_(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  return avg_pool2d(x, options_.kernel, *options_.stride, options_.padding, count_include_pad_);
}

nlohmann::json AvgPool2d::to_json() const {
  nlohmann::json j = pool_json(type_name(), options_);
  j["count_include_pad"] = count_include_pad_;
  return j;
}

std::int64_t AvgPool2d::flops(const Shape& input) const {
  return pool_flops("avg_pool2d", options_, input);
}

Tensor GlobalAvgPool::forward(const Tensor& x) {
  check_shape(x.dim() >= 3, "global_avg_pool: expected input [N,C,...] with at least one axis ",
              "after the channels, got ", x.shape());
  if (x.dim() == 4) return global_avg_pool2d(x);
  // [N,C,...] seen as one row of maps [N,C,1,S]: a view, no copy.
  return global_avg_pool2d(reshape(x, {x.size(0), x.size(1), 1, -1}));
}

}  // namespace dither
