#include "core/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/autograd.h"
#include "core/buffer_pool.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"

namespace dither {
namespace {

std::shared_ptr<TensorImpl> make_impl(Shape shape) {
  for (std::int64_t d : shape) check_shape(d >= 0, "tensor: negative size in shape ", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel(shape));
  impl->shape = std::move(shape);
  return impl;
}

const TensorImpl& checked(const std::shared_ptr<TensorImpl>& impl) {
  check(impl != nullptr, "use of an undefined tensor");
  return *impl;
}

}  // namespace

Storage::Storage(std::int64_t size) : data_(buffer_pool::acquire(size)), size_(size) {}
Storage::~Storage() { buffer_pool::release(data_, size_); }

Tensor Tensor::empty(Shape shape) { return Tensor(make_impl(std::move(shape))); }

Tensor Tensor::zeros(Shape shape) { return full(std::move(shape), 0.0f); }

Tensor Tensor::ones(Shape shape) { return full(std::move(shape), 1.0f); }

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  float* p = t.ptr();
  parallel_for(t.numel(), [&](std::int64_t b, std::int64_t e) { std::fill(p + b, p + e, value); });
  return t;
}

Tensor Tensor::scalar(float value) { return full({}, value); }

Tensor Tensor::from(std::span<const float> values, Shape shape) {
  check_shape(static_cast<std::int64_t>(values.size()) == dither::numel(shape),
              "Tensor::from: ", values.size(), " values do not fill shape ", shape);
  Tensor t = empty(std::move(shape));
  std::copy(values.begin(), values.end(), t.ptr());
  return t;
}

Tensor Tensor::from(std::initializer_list<float> values, Shape shape) {
  return from(std::span<const float>(values.begin(), values.size()), std::move(shape));
}

Tensor Tensor::arange(float start, float end, float step) {
  check(step != 0.0f && std::isfinite(step), "arange: step must be finite and non-zero");
  const double count = std::ceil((static_cast<double>(end) - start) / step);
  const auto n = static_cast<std::int64_t>(std::max(0.0, count));
  Tensor t = empty({n});
  float* p = t.ptr();
  for (std::int64_t i = 0; i < n; ++i) p[i] = start + static_cast<float>(i) * step;
  return t;
}

Tensor Tensor::rand(Shape shape, const RandomStream& stream, float low, float high) {
  Tensor t = empty(std::move(shape));
  stream.fill_uniform(t.data(), low, high);
  return t;
}

Tensor Tensor::randn(Shape shape, const RandomStream& stream, float mean, float std) {
  Tensor t = empty(std::move(shape));
  stream.fill_normal(t.data(), mean, std);
  return t;
}

const Shape& Tensor::shape() const { return checked(impl_).shape; }

std::int64_t Tensor::size(std::int64_t axis) const {
  return shape()[static_cast<std::size_t>(normalize_axis(axis, shape().size(), "size"))];
}

std::int64_t Tensor::numel() const { return dither::numel(shape()); }

std::span<const float> Tensor::data() const {
  return {checked(impl_).storage->data(), static_cast<std::size_t>(numel())};
}

std::span<float> Tensor::data() {
  return {checked(impl_).storage->data(), static_cast<std::size_t>(numel())};
}

const float* Tensor::ptr() const { return checked(impl_).storage->data(); }
float* Tensor::ptr() { return checked(impl_).storage->data(); }

float Tensor::item() const {
  check_shape(numel() == 1, "item: tensor of shape ", shape(), " has ", numel(),
              " elements, not 1");
  return ptr()[0];
}

std::vector<float> Tensor::to_vector() const {
  auto d = data();
  return {d.begin(), d.end()};
}

bool Tensor::requires_grad() const { return checked(impl_).requires_grad; }

Tensor& Tensor::set_requires_grad(bool on) {
  check(is_leaf(), "set_requires_grad: only a leaf tensor can be marked; use detach() first");
  impl_->requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return checked(impl_).grad_fn == nullptr; }

Tensor Tensor::grad() const {
  const auto& g = checked(impl_).grad;
  return g ? Tensor(g) : Tensor();
}

void Tensor::zero_grad() { checked(impl_), impl_->grad.reset(); }

void Tensor::set_grad(const Tensor& grad) {
  checked(impl_);
  if (!grad.defined()) {
    impl_->grad.reset();
    return;
  }
  check_shape(grad.shape() == shape(), "set_grad: gradient of shape ", grad.shape(),
              " for a tensor of shape ", shape());
  impl_->grad = grad.clone().impl_;  // a private copy: backward() adds into it in place
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape();
  impl->storage = impl_->storage;
  return Tensor(std::move(impl));
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape());
  const float* src = ptr();
  float* dst = t.ptr();
  parallel_for(numel(), [&](std::int64_t b, std::int64_t e) {
    std::memcpy(dst + b, src + b, static_cast<std::size_t>(e - b) * sizeof(float));
  });
  return t;
}

}  // namespace dither
