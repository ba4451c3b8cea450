#include "layers/sequential.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "layers/activations.h"
#include "layers/registry.h"
#include "layers/weight_layer.h"

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
  const auto& layers = children();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (transform_ && i == transform_position_) {
      const std::int64_t batch = h.dim() > 0 ? h.size(0) : -1;
      h = transform_(h);
      check_shape(h.dim() > 0 && h.size(0) == batch, type_name(), ": the hidden transform at ", i,
                  " changed the batch size from ", batch, " to ", h.dim() > 0 ? h.size(0) : -1);
    }
    // A weight layer and the ReLU after it run as one op where the layer has a fused one
    // (Conv2d): no separate pass over the activations, forward or backward.
    auto* weighted = dynamic_cast<WeightLayer*>(layers[i].second.get());
    if (weighted != nullptr && i + 1 < layers.size() &&
        dynamic_cast<const ReLU*>(layers[i + 1].second.get()) != nullptr &&
        !(transform_ && transform_position_ == i + 1)) {
      h = weighted->forward_relu(h);
      ++i;
      continue;
    }
    h = layers[i].second->forward(h);
  }
  return h;
}

void Sequential::set_hidden_transform(std::size_t position, HiddenTransform fn) {
  check(position < size(), type_name(), ": hidden transform position ", position,
        " is out of range for ", size(), " layers (0 is the input)");
  check(static_cast<bool>(fn), type_name(), ": the hidden transform is empty");
  transform_position_ = position;
  transform_ = std::move(fn);
}

void Sequential::clear_hidden_transform() { transform_ = nullptr; }

std::optional<std::size_t> Sequential::hidden_transform_position() const {
  if (!transform_) return std::nullopt;
  return transform_position_;
}

HiddenTransformGuard::HiddenTransformGuard(Sequential& model, std::size_t position,
                                           Sequential::HiddenTransform fn)
    : model_(model) {
  model_.set_hidden_transform(position, std::move(fn));
}

HiddenTransformGuard::~HiddenTransformGuard() { model_.clear_hidden_transform(); }

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
