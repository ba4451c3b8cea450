#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/module.h"

namespace dither {

/// One row of a model summary: a layer, or a container with its layers in the rows after it.
struct LayerSummary {
  std::string path;             ///< dotted module path, as in parameter names ("3", "3.0")
  std::string type;             ///< JSON type name ("linear", "residual")
  int depth = 0;                ///< 0 for the model's own layers, +1 inside each container
  Shape output;                 ///< per-sample output shape (no batch axis)
  std::int64_t parameters = 0;  ///< parameter elements in this module and below
  std::int64_t flops = 0;       ///< multiply-adds of one sample's forward, this module and below
};

/// A model's layers with their shapes and costs, for one per-sample input shape.
struct ModelSummary {
  Shape input;
  Shape output;
  std::vector<LayerSummary> layers;  ///< depth-first, in forward order
  std::int64_t parameters = 0;       ///< every parameter element of the model
  std::int64_t flops = 0;            ///< multiply-adds per sample of the whole model
};

/// Walks `model` with per-sample input `input`: a Sequential (or Residual) lists its layers,
/// recursively; any other module is one row. Shapes come from infer_output_shape(), which leaves
/// every mode and the random generator as they were.
ModelSummary summarize(const Module& model, const Shape& input);

/// The summary as an aligned text table (layer, type, output, parameters, multiply-adds) and
/// a totals line.
std::string model_summary(const Module& model, const Shape& input);

}  // namespace dither
