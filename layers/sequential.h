#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"

namespace dither {

/// Runs its layers in order: y = f_k(... f_1(x)). Layers are named by their index unless added
/// under a name, so parameters read "0.weight", "0.bias", "2.weight", ...
class Sequential : public Module {
 public:
  Sequential() = default;
  /// Layers named "0", "1", ... in the given order.
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& layers);

  /// Appends `layer` under `name` (unique within this container) and returns it.
  template <class M>
  std::shared_ptr<M> add(std::string name, std::shared_ptr<M> layer) {
    check_new_name(name, layer.get());
    return register_module(std::move(name), std::move(layer));
  }
  /// Appends `layer` named after its index ("3") and returns it.
  template <class M>
  std::shared_ptr<M> add(std::shared_ptr<M> layer) {
    return add(std::to_string(size()), std::move(layer));
  }

  std::size_t size() const { return children().size(); }
  /// The i-th layer; throws Error when i >= size().
  Module& operator[](std::size_t i) const { return *at(i); }
  /// The i-th layer's handle; throws Error when i >= size().
  std::shared_ptr<Module> at(std::size_t i) const;

  /// x: [N, ...] through every layer in turn; the identity when empty.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "sequential"; }
  /// {"type": type_name(), "layers": [each layer's spec]}.
  nlohmann::json to_json() const override;
  /// Sum over the layers, each given the shape that reaches it.
  std::int64_t flops(const Shape& input) const override;

 private:
  void check_new_name(const std::string& name, const Module* layer) const;
};

}  // namespace dither
