#include "core/ops/conv.h"

#include <algorithm>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

// The weight and bias gradients sum over the batch in at most this many fixed chunks of samples:
// each chunk adds its samples in order and the chunks are added in chunk order, so dW and db are
// bitwise the same at any thread count. More chunks balance better but hold more partial sums.
constexpr std::int64_t kMaxWeightChunks = 16;

// Every convolution seen as 2-D: conv1d is one with height 1.
struct ConvGeometry {
  std::int64_t batch = 0, channels = 0, height = 0, width = 0, out_channels = 0;
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  std::int64_t out_h = 0, out_w = 0;
  // Per kernel row i (column j), the output rows (columns) whose tap lands inside the input.
  std::vector<std::pair<std::int64_t, std::int64_t>> tap_rows, tap_cols;

  std::int64_t in_size() const { return channels * height * width; }
  std::int64_t col_rows() const { return channels * kh * kw; }
  std::int64_t col_cols() const { return out_h * out_w; }
  // A 1x1 kernel with unit stride and no padding reads a sample as its own column matrix.
  bool direct() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
};

// Between one sample x [C,H,W] and its column matrix [C kh kw, Ho Wo]. Gather (im2col) writes
// col[(c kh + i) kw + j, oh Wo + ow] = x[c, oh sh - ph + i dh, ow sw - pw + j dw], zero where that
// lies in the padding; scatter (col2im) adds each column entry back into its x element, and may
// clear entries of col that fall in the padding.
template <bool kGather>
void transfer(const ConvGeometry& g, std::conditional_t<kGather, const float*, float*> x,
              float* col) {
  const std::int64_t cols = g.col_cols();
  // With unit strides and outputs as wide as the input ("same" padding), output rows laid back to
  // back read input rows laid back to back: a tap's rows are then one run of memory, and only the
  // columns that wrap around a row edge need fixing. Small maps otherwise pay a call per row.
  const bool one_run = g.sh == 1 && g.sw == 1 && g.out_w == g.width;
  for (std::int64_t c = 0; c < g.channels; ++c) {
    auto xc = x + c * g.height * g.width;
    for (std::int64_t i = 0; i < g.kh; ++i) {
      // Plain variables, not structured bindings: clang 14 (the fuzzing build) cannot capture
      // those in the lambdas below.
      const std::int64_t oh0 = g.tap_rows[static_cast<std::size_t>(i)].first;
      const std::int64_t oh1 = g.tap_rows[static_cast<std::size_t>(i)].second;
      for (std::int64_t j = 0; j < g.kw; ++j) {
        float* row = col + ((c * g.kh + i) * g.kw + j) * cols;
        const std::int64_t ow0 = g.tap_cols[static_cast<std::size_t>(j)].first;
        const std::int64_t ow1 = g.tap_cols[static_cast<std::size_t>(j)].second;
        if constexpr (kGather) {
          if (oh0 > 0) std::fill(row, row + oh0 * g.out_w, 0.0f);
          if (oh1 < g.out_h) std::fill(row + oh1 * g.out_w, row + cols, 0.0f);
        }
        if (ow0 == ow1) {
          if constexpr (kGather) std::fill(row + oh0 * g.out_w, row + oh1 * g.out_w, 0.0f);
          continue;
        }
        // Input index of (oh, ow) is (oh sh + i dh - ph) W + ow sw + j dw - pw.
        auto input = [&](std::int64_t oh, std::int64_t ow) {
          return (oh * g.sh + i * g.dh - g.ph) * g.width + ow * g.sw + j * g.dw - g.pw;
        };
        if (one_run && oh0 < oh1) {
          // Clear the wrapped columns first when scattering, last when gathering.
          auto clear_edges = [&] {
            if (ow0 == 0 && ow1 == g.out_w) return;
            for (std::int64_t oh = oh0; oh < oh1; ++oh) {
              float* dst = row + oh * g.out_w;
              for (std::int64_t ow = 0; ow < ow0; ++ow) dst[ow] = 0.0f;
              for (std::int64_t ow = ow1; ow < g.out_w; ++ow) dst[ow] = 0.0f;
            }
          };
          const std::int64_t first = oh0 * g.out_w + ow0;
          const std::int64_t count = (oh1 - 1) * g.out_w + ow1 - first;
          auto src = xc + input(oh0, ow0);
          if constexpr (kGather) {
            std::copy(src, src + count, row + first);
            clear_edges();
          } else {
            clear_edges();
            for (std::int64_t k = 0; k < count; ++k) src[k] += row[first + k];
          }
          continue;
        }
        for (std::int64_t oh = oh0; oh < oh1; ++oh) {
          float* dst = row + oh * g.out_w;
          const std::int64_t base = input(oh, 0);
          if constexpr (kGather) {
            for (std::int64_t ow = 0; ow < ow0; ++ow) dst[ow] = 0.0f;
            for (std::int64_t ow = ow0; ow < ow1; ++ow) dst[ow] = xc[base + ow * g.sw];
            for (std::int64_t ow = ow1; ow < g.out_w; ++ow) dst[ow] = 0.0f;
          } else {
            for (std::int64_t ow = ow0; ow < ow1; ++ow) xc[base + ow * g.sw] += dst[ow];
          }
        }
      }
    }
  }
}

// A per-thread buffer that grows to the largest request and is then reused, so a steady training
// step allocates nothing here. Callers run no nested parallel work while they hold it.
float* scratch(std::int64_t size) {
  thread_local std::vector<float> buffer;
  if (static_cast<std::int64_t>(buffer.size()) < size) {
    buffer.resize(static_cast<std::size_t>(size));
  }
  return buffer.data();
}

template <std::size_t D>
Shape as_shape(const std::array<std::int64_t, D>& a) {
  return Shape(a.begin(), a.end());
}

template <std::size_t D>
ConvGeometry plan(const char* op, const Tensor& x, const Tensor& w, const Tensor& b,
                  const std::array<std::int64_t, D>& stride,
                  const std::array<std::int64_t, D>& padding,
                  const std::array<std::int64_t, D>& dilation) {
  const char* layout = D == 1 ? "[N,C,L] and weight [O,C,k]" : "[N,C,H,W] and weight [O,C,kh,kw]";
  const auto rank = static_cast<std::int64_t>(D + 2);
  check_shape(x.dim() == rank && w.dim() == rank, op, ": expected input ", layout, ", got ",
              x.shape(), " and ", w.shape());
  const Shape& sx = x.shape();
  const Shape& sw = w.shape();
  check_shape(std::all_of(sw.begin(), sw.end(), [](std::int64_t s) { return s > 0; }), op,
              ": weight ", sw, " has an empty axis");
  check_shape(sx[1] == sw[1], op, ": input ", sx, " has ", sx[1], " channels, weight ", sw,
              " expects ", sw[1]);
  check_shape(!b.defined() || b.shape() == Shape{sw[0]}, op, ": bias ",
              b.defined() ? b.shape() : Shape{}, " does not match weight ", sw, " (expected [",
              sw[0], "])");
  for (std::size_t a = 0; a < D; ++a) {
    check_shape(stride[a] > 0, op, ": stride must be positive, got ", as_shape(stride));
    check_shape(dilation[a] > 0, op, ": dilation must be positive, got ", as_shape(dilation));
    check_shape(padding[a] >= 0, op, ": padding must be >= 0, got ", as_shape(padding));
    check_shape(dilation[a] * (sw[a + 2] - 1) + 1 <= sx[a + 2] + 2 * padding[a], op, ": kernel ",
                Shape(sw.begin() + 2, sw.end()), " with dilation ", as_shape(dilation),
                " is larger than input ", sx, " with padding ", as_shape(padding));
  }
  // Spatial settings right-aligned into {height, width}; conv1d keeps the unit height.
  std::array<std::int64_t, 2> in{1, 1}, k{1, 1}, s{1, 1}, p{0, 0}, d{1, 1};
  for (std::size_t a = 0; a < D; ++a) {
    const std::size_t t = a + 2 - D;
    in[t] = sx[a + 2];
    k[t] = sw[a + 2];
    s[t] = stride[a];
    p[t] = padding[a];
    d[t] = dilation[a];
  }
  ConvGeometry g;
  g.batch = sx[0];
  g.channels = sx[1];
  g.out_channels = sw[0];
  g.height = in[0];
  g.width = in[1];
  g.kh = k[0];
  g.kw = k[1];
  g.sh = s[0];
  g.sw = s[1];
  g.ph = p[0];
  g.pw = p[1];
  g.dh = d[0];
  g.dw = d[1];
  g.out_h = window_output_size(g.height, g.kh, g.sh, g.ph, g.dh);
  g.out_w = window_output_size(g.width, g.kw, g.sw, g.pw, g.dw);
  for (std::int64_t i = 0; i < g.kh; ++i) {
    g.tap_rows.push_back(window_tap_range(i * g.dh, g.sh, g.ph, g.height, g.out_h));
  }
  for (std::int64_t j = 0; j < g.kw; ++j) {
    g.tap_cols.push_back(window_tap_range(j * g.dw, g.sw, g.pw, g.width, g.out_w));
  }
  return g;
}

// Both helpers stay out of line: inlined into the per-sample lambdas they lost their restrict
// pointers and ran scalar, branching loops (a fifth of a CNN step).
//
// y = max(y, 0) over n values, as core/ops/activation.cpp's relu computes it.
[[gnu::noinline]] void rectify(float* __restrict y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

// out[i] = g[i] * (y[i] > 0 ? 1 : 0): relu's backward read from its output (y > 0 exactly where
// its input is > 0), with the multiply kept so a NaN or infinite gradient still propagates.
[[gnu::noinline]] void mask_by_output(const float* __restrict g, const float* __restrict y,
                                      float* __restrict out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float pass = y[i] > 0.0f ? 1.0f : 0.0f;  // a select GCC vectorises, unlike one inline
    out[i] = g[i] * pass;
  }
}

void conv_forward(const ConvGeometry& g, const Tensor& x, const Tensor& w, const Tensor& b,
                  bool relu, Tensor& out) {
  const std::int64_t m = g.out_channels, k = g.col_rows(), p = g.col_cols();
  const float* px = x.ptr();
  const float* pw = w.ptr();
  const float* pb = b.defined() ? b.ptr() : nullptr;
  float* po = out.ptr();
  parallel_for(
      g.batch,
      [&](std::int64_t n0, std::int64_t n1) {
        float* col = g.direct() ? nullptr : scratch(k * p);
        for (std::int64_t n = n0; n < n1; ++n) {
          const float* xn = px + n * g.in_size();
          float* on = po + n * m * p;
          if (!g.direct()) transfer<true>(g, xn, col);
          if (pb != nullptr) {
            for (std::int64_t o = 0; o < m; ++o) std::fill(on + o * p, on + (o + 1) * p, pb[o]);
          }
          gemm_serial(false, false, m, p, k, 1.0f, pw, k, g.direct() ? xn : col, p,
                      pb != nullptr ? 1.0f : 0.0f, on, p);
          if (relu) rectify(on, m * p);
        }
      },
      1);
}

// `relu_out`: the fused op's output, whose positive entries pass the gradient; undefined for a
// plain convolution.
std::vector<Tensor> conv_backward(const ConvGeometry& g, const Tensor& x, const Tensor& w,
                                  bool has_bias, const Tensor& relu_out, const Tensor& grad,
                                  const NeedsGrad& needs) {
  const std::int64_t m = g.out_channels, k = g.col_rows(), p = g.col_cols();
  const bool want_w = needs[1];
  const bool want_b = has_bias && needs[2];
  const std::int64_t chunks = std::min(g.batch, kMaxWeightChunks);
  // Each chunk's parameter gradients, dW then db, summed over its samples.
  const std::int64_t width = m * k + m;
  Tensor partials =
      want_w || want_b ? Tensor::zeros({std::max<std::int64_t>(chunks, 1), width}) : Tensor();
  const Tensor ones = want_b ? Tensor::ones({p}) : Tensor();
  Tensor gx = needs[0] ? Tensor::empty(x.shape()) : Tensor();
  const float* px = x.ptr();
  const float* pw = w.ptr();
  const float* pg = grad.ptr();
  const float* py = relu_out.defined() ? relu_out.ptr() : nullptr;
  parallel_for(
      chunks,
      [&](std::int64_t c0, std::int64_t c1) {
        const std::int64_t cols = g.direct() ? 0 : k * p;
        float* col = scratch(2 * cols + (py != nullptr ? m * p : 0));
        float* dcol = col + cols;
        float* masked = dcol + cols;
        for (std::int64_t c = c0; c < c1; ++c) {
          float* part = partials.defined() ? partials.ptr() + c * width : nullptr;
          for (std::int64_t n = g.batch * c / chunks; n < g.batch * (c + 1) / chunks; ++n) {
            const float* xn = px + n * g.in_size();
            const float* gn = pg + n * m * p;
            if (py != nullptr) {
              mask_by_output(gn, py + n * m * p, masked, m * p);
              gn = masked;
            }
            if (want_w) {
              if (!g.direct()) transfer<true>(g, xn, col);
              gemm_serial(false, true, m, k, p, 1.0f, gn, p, g.direct() ? xn : col, p, 1.0f, part,
                          k);
            }
            if (want_b)
              gemm_serial(false, false, m, 1, p, 1.0f, gn, p, ones.ptr(), 1, 1.0f, part + m * k, 1);
            if (needs[0]) {
              float* gxn = gx.ptr() + n * g.in_size();
              gemm_serial(true, false, k, p, m, 1.0f, pw, k, gn, p, 0.0f, g.direct() ? gxn : dcol,
                          p);
              if (!g.direct()) {
                std::fill(gxn, gxn + g.in_size(), 0.0f);
                transfer<false>(g, gxn, dcol);
              }
            }
          }
        }
      },
      1);
  Tensor gw, gb;
  if (partials.defined()) {
    float* total = partials.ptr();
    parallel_for(width, [&](std::int64_t e0, std::int64_t e1) {
      for (std::int64_t c = 1; c < chunks; ++c) {
        for (std::int64_t e = e0; e < e1; ++e) total[e] += total[c * width + e];
      }
    });
    if (want_w) gw = Tensor::from(std::span<const float>(total, m * k), w.shape());
    if (want_b) gb = Tensor::from(std::span<const float>(total + m * k, m), {m});
  }
  return {gx, gw, gb};
}

template <std::size_t D>
Tensor convolution(const char* op, const Tensor& x, const Tensor& w, const Tensor& b,
                   const std::array<std::int64_t, D>& stride,
                   const std::array<std::int64_t, D>& padding,
                   const std::array<std::int64_t, D>& dilation, bool relu = false) {
  const ConvGeometry g = plan<D>(op, x, w, b, stride, padding, dilation);
  Shape out_shape{g.batch, g.out_channels};
  if (D == 2) out_shape.push_back(g.out_h);
  out_shape.push_back(g.out_w);
  Tensor out = Tensor::empty(out_shape);
  conv_forward(g, x, w, b, relu, out);
  // dL/dx = col2im(Wᵀ G_n), dL/dW = Σ_n G_n im2col(x_n)ᵀ, dL/db = Σ_{n,h,w} G, with G masked
  // by out > 0 first when fused with a ReLU
  return record(op, out, {x, w, b},
                [g, x = x.detach(), w = w.detach(), has_bias = b.defined(),
                 y = relu ? out.detach() : Tensor()](const Tensor& grad, const NeedsGrad& needs) {
                  return conv_backward(g, x, w, has_bias, y, grad, needs);
                });
}

}  // namespace

std::int64_t window_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                std::int64_t padding, std::int64_t dilation) {
  const std::int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  // Floor, not C++'s truncation toward zero: a window that does not fit gives 0 or less.
  return (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;
}

std::pair<std::int64_t, std::int64_t> window_tap_range(std::int64_t offset, std::int64_t stride,
                                                       std::int64_t padding, std::int64_t in,
                                                       std::int64_t out) {
  // Smallest o with o stride >= padding - offset, and first o with o stride >= in + padding -
  // offset: ceilings of possibly negative quotients.
  auto ceil_div = [stride](std::int64_t a) {
    return a >= 0 ? (a + stride - 1) / stride : -((-a) / stride);
  };
  const std::int64_t first = std::clamp<std::int64_t>(ceil_div(padding - offset), 0, out);
  const std::int64_t second = std::clamp<std::int64_t>(ceil_div(in + padding - offset), first, out);
  return {first, second};
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
              Size2 padding, Size2 dilation) {
  return convolution<2>("conv2d", x, weight, bias, stride, padding, dilation);
}

Tensor conv2d_relu(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
                   Size2 padding, Size2 dilation) {
  return convolution<2>("conv2d_relu", x, weight, bias, stride, padding, dilation, true);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride,
              std::int64_t padding, std::int64_t dilation) {
  return convolution<1>("conv1d", x, weight, bias, {stride}, {padding}, {dilation});
}

}  // namespace dither
