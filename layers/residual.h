#pragma once

#include <memory>
#include <vector>

#include "layers/sequential.h"

namespace dither {

/// y = x + f(x), f its layers run in order (a Sequential); f must keep the shape of x.
/// JSON: {"type": "residual", "layers": [...]}. Parameters read "0.weight", ... within it.
class Residual : public Sequential {
 public:
  Residual() = default;
  explicit Residual(const std::vector<std::shared_ptr<Module>>& layers) : Sequential(layers) {}

  /// x: [N, ...] -> x + f(x); throws ShapeError when f(x) has another shape (no broadcasting).
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "residual"; }
};

}  // namespace dither
