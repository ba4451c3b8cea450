#include "core/ops/shape_ops.h"

#include <algorithm>
#include <cstring>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

std::int64_t rows_grain(std::int64_t cols) {
  return std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(cols, 1));
}

// A no-copy op that only changes the shape; its gradient is relabelled back.
Tensor relabel(const char* op, const Tensor& x, Shape shape) {
  Tensor out = detached_view(x, std::move(shape));
  // d(relabel x)/dx = identity, with x's shape
  return record(op, out, {x}, [from = x.shape()](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{detached_view(g, from)};
  });
}

// out[o] = x[o - before] on every axis where that index lies inside x, `value` elsewhere. Negative
// `before` crops. The one kernel behind pad, narrow, slice, concat's backward and their backwards.
Tensor shifted_copy(const Tensor& x, const Shape& out_shape,
                    const std::vector<std::int64_t>& before, float value) {
  Tensor out = Tensor::empty(out_shape);
  if (out.numel() == 0) return out;
  const float* px = x.ptr();
  float* po = out.ptr();
  const Shape& in = x.shape();
  if (in.empty()) {
    po[0] = px[0];
    return out;
  }
  const auto stride = contiguous_strides(in);
  const std::size_t last = in.size() - 1;
  const std::int64_t cols = out_shape[last];
  const std::int64_t lo = std::clamp<std::int64_t>(before[last], 0, cols);
  const std::int64_t hi = std::clamp<std::int64_t>(before[last] + in[last], 0, cols);
  parallel_for(
      out.numel() / cols,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          float* row = po + r * cols;
          std::int64_t rest = r;
          std::int64_t offset = 0;
          bool inside = true;
          for (std::size_t d = last; d-- > 0;) {
            const std::int64_t src = rest % out_shape[d] - before[d];
            rest /= out_shape[d];
            inside = inside && src >= 0 && src < in[d];
            offset += src * stride[d];
          }
          if (!inside || hi <= lo) {
            std::fill(row, row + cols, value);
            continue;
          }
          std::fill(row, row + lo, value);
          std::memcpy(row + lo, px + offset + lo - before[last],
                      static_cast<std::size_t>(hi - lo) * sizeof(float));
          std::fill(row + hi, row + cols, value);
        }
      },
      rows_grain(cols));
  return out;
}

// out axis i = x axis axes[i], copied so the result is contiguous.
Tensor permuted(const Tensor& x, const std::vector<std::int64_t>& axes) {
  const Shape& in = x.shape();
  const auto in_stride = contiguous_strides(in);
  Shape shape(in.size());
  std::vector<std::int64_t> src_stride(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    shape[i] = in[static_cast<std::size_t>(axes[i])];
    src_stride[i] = in_stride[static_cast<std::size_t>(axes[i])];
  }
  Tensor out = Tensor::empty(shape);
  if (out.numel() == 0) return out;
  const float* px = x.ptr();
  float* po = out.ptr();
  if (shape.empty()) {
    po[0] = px[0];
    return out;
  }
  const std::size_t last = shape.size() - 1;
  const std::int64_t cols = shape[last];
  const std::int64_t step = src_stride[last];
  parallel_for(
      out.numel() / cols,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          std::int64_t rest = r;
          std::int64_t offset = 0;
          for (std::size_t d = last; d-- > 0;) {
            offset += rest % shape[d] * src_stride[d];
            rest /= shape[d];
          }
          float* row = po + r * cols;
          for (std::int64_t j = 0; j < cols; ++j) row[j] = px[offset + j * step];
        }
      },
      rows_grain(cols));
  return out;
}

Tensor permute_op(const char* op, const Tensor& x, const std::vector<std::int64_t>& axes) {
  std::vector<std::int64_t> inverse(axes.size());
  for (std::size_t i = 0; i < axes.size(); ++i) {
    inverse[static_cast<std::size_t>(axes[i])] = static_cast<std::int64_t>(i);
  }
  // the gradient of a permutation is the inverse permutation of the gradient
  return record(op, permuted(x, axes), {x}, [inverse](const Tensor& g, const NeedsGrad&) {
    return std::vector<Tensor>{permuted(g, inverse)};
  });
}

// A recorded shifted_copy (pad, narrow): its backward shifts the gradient back.
Tensor shift_op(const char* op, const Tensor& x, const std::vector<std::int64_t>& before,
                const Shape& out_shape, float value) {
  std::vector<std::int64_t> back(before.size());
  std::transform(before.begin(), before.end(), back.begin(), [](std::int64_t b) { return -b; });
  // d out / dx = 1 where out copies x: the gradient is cropped (or padded) back the other way
  return record(op, shifted_copy(x, out_shape, before, value), {x},
                [back, from = x.shape()](const Tensor& g, const NeedsGrad&) {
                  return std::vector<Tensor>{shifted_copy(g, from, back, 0.0f)};
                });
}

}  // namespace

std::vector<std::int64_t> contiguous_strides(const Shape& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

Tensor detached_view(const Tensor& x, Shape shape) {
  check_shape(numel(shape) == x.numel(), "view: ", x.shape(), " has ", x.numel(),
              " elements, shape ", shape, " needs ", numel(shape));
  Tensor out = x.detach();
  TensorAccess::impl(out)->shape = std::move(shape);
  return out;
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  Shape resolved = shape;
  const auto inferred = std::find(resolved.begin(), resolved.end(), -1);
  std::int64_t known = 1;
  for (auto it = resolved.begin(); it != resolved.end(); ++it) {
    check_shape(*it >= 0 || it == inferred, "reshape: invalid size ", *it, " in ", shape);
    if (it != inferred) known *= *it;
  }
  if (inferred != resolved.end()) {
    check_shape(known > 0 && x.numel() % known == 0, "reshape: cannot reshape ", x.shape(), " (",
                x.numel(), " elements) to ", shape);
    *inferred = x.numel() / known;
  }
  check_shape(numel(resolved) == x.numel(), "reshape: cannot reshape ", x.shape(), " (", x.numel(),
              " elements) to ", shape);
  return relabel("reshape", x, std::move(resolved));
}

Tensor flatten(const Tensor& x, std::int64_t start_axis) {
  const Shape& in = x.shape();
  const auto start = static_cast<std::size_t>(normalize_axis(start_axis, in.size(), "flatten"));
  Shape shape(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(start));
  shape.push_back(numel(Shape(in.begin() + static_cast<std::ptrdiff_t>(start), in.end())));
  return relabel("flatten", x, std::move(shape));
}

Tensor unsqueeze(const Tensor& x, std::int64_t axis) {
  Shape shape = x.shape();
  const std::int64_t at = normalize_axis(axis, shape.size() + 1, "unsqueeze");
  shape.insert(shape.begin() + at, 1);
  return relabel("unsqueeze", x, std::move(shape));
}

Tensor squeeze(const Tensor& x, std::int64_t axis) {
  Shape shape = x.shape();
  const std::int64_t at = normalize_axis(axis, shape.size(), "squeeze");
  check_shape(shape[static_cast<std::size_t>(at)] == 1, "squeeze: axis ", axis, " of ", x.shape(),
              " has size ", shape[static_cast<std::size_t>(at)], ", not 1");
  shape.erase(shape.begin() + at);
  return relabel("squeeze", x, std::move(shape));
}

Tensor squeeze(const Tensor& x) {
  Shape shape = x.shape();
  shape.erase(std::remove(shape.begin(), shape.end(), 1), shape.end());
  return relabel("squeeze", x, std::move(shape));
}

Tensor transpose(const Tensor& x, std::int64_t a0, std::int64_t a1) {
  const std::size_t rank = x.shape().size();
  std::vector<std::int64_t> axes(rank);
  for (std::size_t i = 0; i < rank; ++i) axes[i] = static_cast<std::int64_t>(i);
  std::swap(axes[static_cast<std::size_t>(normalize_axis(a0, rank, "transpose"))],
            axes[static_cast<std::size_t>(normalize_axis(a1, rank, "transpose"))]);
  return permute_op("transpose", x, axes);
}

Tensor permute(const Tensor& x, const std::vector<std::int64_t>& axes) {
  const std::size_t rank = x.shape().size();
  check_shape(axes.size() == rank, "permute: ", axes.size(), " axes given for ", x.shape());
  std::vector<std::int64_t> norm(rank);
  std::vector<char> seen(rank, 0);
  for (std::size_t i = 0; i < rank; ++i) {
    norm[i] = normalize_axis(axes[i], rank, "permute");
    check_shape(!seen[static_cast<std::size_t>(norm[i])], "permute: axis ", axes[i],
                " repeated for ", x.shape());
    seen[static_cast<std::size_t>(norm[i])] = 1;
  }
  return permute_op("permute", x, norm);
}

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis) {
  check_shape(!tensors.empty(), "concat: no tensors to join");
  const Shape& first = tensors[0].shape();
  const auto at = static_cast<std::size_t>(normalize_axis(axis, first.size(), "concat"));
  Shape shape = first;
  shape[at] = 0;
  for (std::size_t t = 0; t < tensors.size(); ++t) {
    Shape s = tensors[t].shape();
    check_shape(s.size() == first.size(), "concat: tensor ", t, " of shape ", s,
                " has another rank than tensor 0 of shape ", first);
    shape[at] += s[at];
    s[at] = first[at];
    check_shape(s == first, "concat: tensor ", t, " of shape ", tensors[t].shape(),
                " does not match tensor 0 of shape ", first, " outside axis ", at);
  }
  Tensor out = Tensor::empty(shape);
  const std::int64_t outer =
      numel(Shape(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(at)));
  const std::int64_t row = outer == 0 ? 0 : out.numel() / outer;
  float* po = out.ptr();
  parallel_for(
      outer,
      [&](std::int64_t o0, std::int64_t o1) {
        for (std::int64_t o = o0; o < o1; ++o) {
          float* dst = po + o * row;
          for (const Tensor& t : tensors) {
            const std::int64_t chunk = outer == 0 ? 0 : t.numel() / outer;
            std::memcpy(dst, t.ptr() + o * chunk, static_cast<std::size_t>(chunk) * sizeof(float));
            dst += chunk;
          }
        }
      },
      rows_grain(row));
  std::vector<Shape> shapes;
  for (const Tensor& t : tensors) shapes.push_back(t.shape());
  // d out / d tensor_t = 1 on its slice of axis `at`: each gradient is that slice of g
  return record("concat", out, tensors, [shapes, at](const Tensor& g, const NeedsGrad& n) {
    std::vector<Tensor> grads(shapes.size());
    std::vector<std::int64_t> before(shapes[0].size(), 0);
    for (std::size_t t = 0; t < shapes.size(); ++t) {
      if (n[t]) grads[t] = shifted_copy(g, shapes[t], before, 0.0f);
      before[at] -= shapes[t][at];
    }
    return grads;
  });
}

Tensor narrow(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t length) {
  const Shape& in = x.shape();
  const auto at = static_cast<std::size_t>(normalize_axis(axis, in.size(), "narrow"));
  const std::int64_t size = in[at];
  const std::int64_t begin = start < 0 ? start + size : start;
  check_shape(begin >= 0 && length >= 0 && begin + length <= size, "narrow: start ", start,
              " and length ", length, " do not fit axis ", axis, " of ", in);
  std::vector<std::int64_t> before(in.size(), 0);
  before[at] = -begin;
  Shape shape = in;
  shape[at] = length;
  return shift_op("narrow", x, before, shape, 0.0f);
}

Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t end) {
  const std::int64_t size = x.size(axis);
  auto clip = [size](std::int64_t i) {
    return std::clamp<std::int64_t>(i < 0 ? i + size : i, 0, size);
  };
  const std::int64_t begin = clip(start);
  return narrow(x, axis, begin, std::max<std::int64_t>(0, clip(end) - begin));
}

Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, float value) {
  const Shape& in = x.shape();
  check_shape(pads.size() % 2 == 0 && pads.size() <= 2 * in.size(), "pad: ", pads.size(),
              " pads for ", in, " (need an even count up to ", 2 * in.size(), ")");
  std::vector<std::int64_t> before(in.size(), 0);
  Shape shape = in;
  for (std::size_t i = 0; i < pads.size() / 2; ++i) {
    const std::size_t d = in.size() - 1 - i;
    before[d] = pads[2 * i];
    shape[d] += pads[2 * i] + pads[2 * i + 1];
    check_shape(shape[d] >= 0, "pad: pads (", pads[2 * i], ", ", pads[2 * i + 1], ") crop axis ", d,
                " of ", in, " below zero");
  }
  return shift_op("pad", x, before, shape, value);
}

}  // namespace dither
