#include "core/ops/noise.h"

#include <functional>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops/map.h"
#include "core/parallel.h"

namespace dither {
namespace {

void check_broadcasts_to(const Tensor& noise, const Tensor& x, const char* role) {
  check_shape(
      !noise.defined() || broadcast_shapes(x.shape(), noise.shape(), "apply_noise") == x.shape(),
      "apply_noise: ", role, " ", noise.defined() ? noise.shape() : Shape{},
      " does not broadcast to input ", x.shape());
}

// out[i] = in[i] * (keep[i] ? scale : 0), written as a product of the 0/1 byte: it vectorises.
Tensor keep_scaled(const Tensor& in, const std::vector<std::uint8_t>& keep, float scale) {
  Tensor out = Tensor::empty(in.shape());
  const float* pi = in.ptr();
  const std::uint8_t* pk = keep.data();
  float* po = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) po[i] = pi[i] * (scale * static_cast<float>(pk[i]));
  });
  return out;
}

}  // namespace

Tensor apply_keep_mask(const Tensor& x, std::shared_ptr<const std::vector<std::uint8_t>> keep,
                       float scale) {
  check_shape(keep != nullptr && static_cast<std::int64_t>(keep->size()) == x.numel(),
              "apply_keep_mask: ", keep ? keep->size() : 0, " mask bytes for input ", x.shape());
  // dy/dx = keep * scale; the mask is a constant
  return record("apply_keep_mask", keep_scaled(x, *keep, scale), {x},
                [keep, scale](const Tensor& g, const NeedsGrad&) {
                  return std::vector<Tensor>{keep_scaled(g, *keep, scale)};
                });
}

Tensor apply_noise(const Tensor& x, const Tensor& scale, const Tensor& shift) {
  check(scale.defined() || shift.defined(), "apply_noise: needs a scale or a shift");
  check_broadcasts_to(scale, x, "scale");
  check_broadcasts_to(shift, x, "shift");
  Tensor out = scale.defined() ? binary_map("apply_noise", x, scale, std::multiplies<float>()) : x;
  if (shift.defined()) out = binary_map("apply_noise", out, shift, std::plus<float>());
  // dy/dx = scale (1 when there is none); the noise itself is a constant
  return record(
      "apply_noise", out, {x},
      [scale = scale.defined() ? scale.detach() : Tensor()](const Tensor& g, const NeedsGrad&) {
        return std::vector<Tensor>{
            scale.defined() ? binary_map("apply_noise", g, scale, std::multiplies<float>()) : g};
      });
}

Tensor bernoulli_mask(const Shape& shape, double keep, float value, const RandomStream& stream) {
  Tensor mask = Tensor::empty(shape);
  stream.fill_bernoulli(mask.data(), keep, value);
  return mask;
}

Tensor dropout(const Tensor& x, double p, const RandomStream& stream, const Shape& mask_shape) {
  check_drop_probability("dropout", p);
  // p = 1 keeps nothing; 1/(1-p) would turn the zeros into NaN.
  const float kept = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  return apply_noise(x, bernoulli_mask(mask_shape, 1.0 - p, kept, stream), Tensor());
}

double check_drop_probability(std::string_view layer, double p, bool allow_one) {
  const bool ok = p >= 0.0 && (allow_one ? p <= 1.0 : p < 1.0);
  if (!ok) {
    throw ConfigError(str(layer, ": p must be in [0, 1", allow_one ? "]" : ")", ", got ", p));
  }
  return p;
}

}  // namespace dither
