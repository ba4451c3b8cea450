#include "layers/spatial_dropout.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/ops/noise.h"
#include "core/random.h"

namespace dither {

SpatialDropout::SpatialDropout(int spatial_dims, double p)
    : spatial_dims_(spatial_dims), p_(check_drop_probability(type_name(), p)) {
  check(spatial_dims == 1 || spatial_dims == 2,
        "spatial_dropout: spatial_dims must be 1 or 2, got ", spatial_dims);
}

std::string SpatialDropout::type_name() const { return str("spatial_dropout", spatial_dims_, "d"); }

Tensor SpatialDropout::forward(const Tensor& x) {
  check_shape(x.dim() == 2 + spatial_dims_, type_name(), ": input ", x.shape(), " must be ",
              spatial_dims_ == 1 ? "[N, C, L]" : "[N, C, H, W]");
  if (!noise_active()) return x;
  const RandomStream stream = noise_stream(type_name());
  if (p_ == 0.0) return x;
  Shape mask_shape(x.shape().size(), 1);
  mask_shape[0] = x.size(0);
  mask_shape[1] = x.size(1);
  return dropout(x, p_, stream, mask_shape);
}

nlohmann::json SpatialDropout::to_json() const { return {{"type", type_name()}, {"p", p_}}; }

}  // namespace dither
