#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "core/shape.h"

namespace dither {

struct Node;
class RandomStream;

/// Float32 buffer taken from, and given back to, core's buffer pool.
class Storage {
 public:
  explicit Storage(std::int64_t size);  ///< Uninitialised.
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  float* data() { return data_; }
  std::int64_t size() const { return size_; }

 private:
  float* data_;
  std::int64_t size_;
};

/// Shared state behind Tensor handles. Only core/ touches it directly.
struct TensorImpl {
  Shape shape;
  std::shared_ptr<Storage> storage;  // contiguous, row-major; shared by detach()
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;     // the op that made this tensor; null for leaves
  std::shared_ptr<TensorImpl> grad;  // leaves only; backward() adds into it
};

/// Cheap, copyable handle to a contiguous float32 tensor. Copies share data, gradient and history.
class Tensor {
 public:
  Tensor() = default;  ///< Undefined tensor: defined() is false.

  static Tensor empty(Shape shape);  ///< Uninitialised values: for outputs written in full.
  static Tensor zeros(Shape shape);
  static Tensor ones(Shape shape);
  static Tensor full(Shape shape, float value);
  static Tensor scalar(float value);  ///< Shape {}.
  /// Copies `values`; throws ShapeError when their count does not match the shape.
  static Tensor from(std::span<const float> values, Shape shape);
  static Tensor from(std::initializer_list<float> values, Shape shape);
  /// [start, start+step, ...) below end; a float range like NumPy's arange.
  static Tensor arange(float start, float end, float step = 1.0f);
  /// Uniform in [low, high) from `stream`; element i depends only on its counter.
  static Tensor rand(Shape shape, const RandomStream& stream, float low = 0.0f, float high = 1.0f);
  /// Normal N(mean, std^2) from `stream`.
  static Tensor randn(Shape shape, const RandomStream& stream, float mean = 0.0f, float std = 1.0f);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  std::int64_t size(std::int64_t axis) const;  ///< Negative axes count from the end.
  std::int64_t numel() const;
  std::span<const float> data() const;
  std::span<float> data();
  const float* ptr() const;
  float* ptr();
  float item() const;  ///< Value of a one-element tensor; throws otherwise.
  std::vector<float> to_vector() const;

  bool requires_grad() const;
  /// Marks a leaf (a parameter or an input) to receive gradients; throws on a non-leaf.
  Tensor& set_requires_grad(bool on);
  bool is_leaf() const;
  Tensor grad() const;  ///< Accumulated gradient of a leaf; undefined before backward().
  void zero_grad();     ///< Makes grad() undefined again.
  void set_grad(const Tensor& grad);  ///< Replaces the accumulated gradient (optimisers, clipping).
  Tensor detach() const;  ///< Same storage, no history: how backward closures save values.
  Tensor clone() const;   ///< Own copy of the values, no history.
  /// True when both handles name one tensor (identity: a detach() or a copy of the values is
  /// another tensor, whatever storage it shares).
  bool same_as(const Tensor& other) const { return impl_ == other.impl_; }
  void backward() const;  ///< Reverse sweep from this one-element tensor; adds into leaf grads.
  /// backward(), calling `leaf_ready(leaf)` for each leaf as soon as the sweep has added this
  /// sweep's last gradient into its grad(), before going on below it. The trainer updates each
  /// parameter there, while its gradient is still in cache.
  void backward(const std::function<void(const Tensor& leaf)>& leaf_ready) const;

 private:
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  friend class TensorAccess;
  std::shared_ptr<TensorImpl> impl_;
};

/// core's way into a Tensor's shared state; nothing outside core needs it.
class TensorAccess {
 public:
  static std::shared_ptr<TensorImpl>& impl(Tensor& t) { return t.impl_; }
  static const std::shared_ptr<TensorImpl>& impl(const Tensor& t) { return t.impl_; }
  static const TensorImpl* id(const Tensor& t) { return t.impl_.get(); }
  static const Node* node(const Tensor& t) { return t.impl_ ? t.impl_->grad_fn.get() : nullptr; }
  static Tensor wrap(std::shared_ptr<TensorImpl> impl) { return Tensor(std::move(impl)); }
};

}  // namespace dither
