#include "layers/alpha_dropout.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/ops/noise.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {

AlphaDropout::AlphaDropout(double p) : p_(check_drop_probability("alpha_dropout", p)) {}

Tensor AlphaDropout::forward(const Tensor& x) {
  if (!noise_active()) return x;
  const RandomStream stream = noise_stream(type_name());
  if (p_ == 0.0) return x;
  if (p_ == 1.0) return apply_noise(x, Tensor::scalar(0.0f), Tensor());
  const double a = 1.0 / std::sqrt((1.0 - p_) * (1.0 + p_ * kAlphaPrime * kAlphaPrime));
  const double b = -a * kAlphaPrime * p_;
  // Kept units: a x + b; dropped units: a alpha' + b, whatever x was.
  const auto kept_scale = static_cast<float>(a);
  const auto kept_shift = static_cast<float>(b);
  const auto dropped_shift = static_cast<float>(a * kAlphaPrime + b);
  Tensor scale = Tensor::empty(x.shape());
  Tensor shift = Tensor::empty(x.shape());
  stream.fill_bernoulli(scale.data(), 1.0 - p_, 1.0f);
  float* ps = scale.ptr();
  float* pb = shift.ptr();
  parallel_for(x.numel(), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const bool keep = ps[i] != 0.0f;
      ps[i] = keep ? kept_scale : 0.0f;
      pb[i] = keep ? kept_shift : dropped_shift;
    }
  });
  return apply_noise(x, scale, shift);
}

nlohmann::json AlphaDropout::to_json() const { return {{"type", type_name()}, {"p", p_}}; }

}  // namespace dither
