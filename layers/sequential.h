#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
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

  /// x: [N, ...] through every layer in turn; the identity when empty. With a hidden transform
  /// set, the tensor entering layer `position` is fn(h) instead of h.
  Tensor forward(const Tensor& x) override;

  /// A function of the hidden state between two layers: Manifold Mixup mixes samples there.
  using HiddenTransform = std::function<Tensor(const Tensor&)>;
  /// Every forward() from now on passes the tensor entering layer `position` (0: the model's
  /// input; < size()) through `fn`; it may return h itself (to skip a pass it should not touch)
  /// and must keep the batch axis. One transform at a time: setting one replaces the last. Prefer
  /// HiddenTransformGuard, which clears it on scope exit.
  void set_hidden_transform(std::size_t position, HiddenTransform fn);
  void clear_hidden_transform();
  /// Where the hidden transform acts, or nullopt when none is set.
  std::optional<std::size_t> hidden_transform_position() const;
  std::string type_name() const override { return "sequential"; }
  /// {"type": type_name(), "layers": [each layer's spec]}.
  nlohmann::json to_json() const override;
  /// Sum over the layers, each given the shape that reaches it.
  std::int64_t flops(const Shape& input) const override;

 private:
  void check_new_name(const std::string& name, const Module* layer) const;
  std::size_t transform_position_ = 0;
  HiddenTransform transform_;
};

/// RAII: sets a Sequential's hidden transform and clears it on destruction.
class HiddenTransformGuard {
 public:
  HiddenTransformGuard(Sequential& model, std::size_t position, Sequential::HiddenTransform fn);
  ~HiddenTransformGuard();
  HiddenTransformGuard(const HiddenTransformGuard&) = delete;
  HiddenTransformGuard& operator=(const HiddenTransformGuard&) = delete;

 private:
  Sequential& model_;
};

}  // namespace dither
