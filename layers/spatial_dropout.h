#pragma once

#include <string>

#include "layers/module.h"

namespace dither {

/// Channel dropout, as PyTorch's Dropout1d/2d and Keras' SpatialDropout1D/2D (channels first):
/// each channel x[n, c] is zeroed as a whole with probability p, survivors scaled by 1 / (1 - p).
/// The mask is [N, C, 1, ...], element n C + c from counter n C + c of one fresh stream per
/// forward. Identity (x itself) unless noise_active().
class SpatialDropout : public Module {
 public:
  /// spatial_dims 1 takes [N, C, L], 2 takes [N, C, H, W]. Throws ConfigError unless p in [0, 1].
  SpatialDropout(int spatial_dims, double p);

  /// Throws ShapeError naming the layer and the shape when x has the wrong rank, in any mode.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override;
  nlohmann::json to_json() const override;

  double p() const { return p_; }
  int spatial_dims() const { return spatial_dims_; }

 private:
  int spatial_dims_;
  double p_;
};

/// Drops whole channels of [N, C, L]. JSON: {"type": "spatial_dropout1d", "p": 0.5}.
class SpatialDropout1d : public SpatialDropout {
 public:
  explicit SpatialDropout1d(double p = 0.5) : SpatialDropout(1, p) {}
};

/// Drops whole feature maps of [N, C, H, W]. JSON: {"type": "spatial_dropout2d", "p": 0.5}.
class SpatialDropout2d : public SpatialDropout {
 public:
  explicit SpatialDropout2d(double p = 0.5) : SpatialDropout(2, p) {}
};

}  // namespace dither
