#include "layers/sequential.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "layers/registry.h"

namespace dither {

Sequential::Sequential(const std::vector<std::shared_ptr<Module>>& layers) {
  for (const auto& layer : layers) add(layer);
}

void Sequential::check_new_name(const std::string& name, const Module* layer) const {
  check(layer != nullptr, type_name(), ": cannot add a null layer as '", name, "'");
  check(!name.empty() && name.find('.') == std::string::npos, type_name(), ": layer name '", name,
        "' must be non-empty and contain no '.' (it becomes part of parameter names)");
  for (const auto& [existing, child] : children()) {
    check(existing != name, type_name(), ": a layer named '", name, "' already exists");
  }
}

std::shared_ptr<Module> Sequential::at(std::size_t i) const {
  check(i < size(), type_name(), ": index ", i, " is out of range for ", size(), " layers");
  return children()[i].second;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const auto& [name, layer] : children()) h = layer->forward(h);
  return h;
}

nlohmann::json Sequential::to_json() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& [name, layer] : children()) layers.push_back(layer->to_json());
  return {{"type", type_name()}, {"layers", std::move(layers)}};
}

std::int64_t Sequential::flops(const Shape& input) const {
  std::int64_t total = 0;
  Shape shape = input;
  for (const auto& [name, layer] : children()) {
    total += layer->flops(shape);
    shape = infer_output_shape(*layer, shape);
  }
  return total;
}

}  // namespace dither
