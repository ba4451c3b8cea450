#include "core/ops/conv.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/autograd.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

// The weight gradient sums over the batch in at most this many fixed chunks of samples: each
// chunk adds its samples in order and the chunks are added in chunk order, so dW is bitwise the
// same at any thread count. More chunks balance better but hold more partial sums.
constexpr std::int64_t kMaxWeightChunks = 16;

// Every convolution seen as 2-D: conv1d is one with height 1.
struct ConvGeometry {
  std::int64_t batch = 0, channels = 0, height = 0, width = 0, out_channels = 0;
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  std::int64_t out_h = 0, out_w = 0;

  std::int64_t in_size() const { return channels * height * width; }
  std::int64_t col_rows() const { return channels * kh * kw; }
  std::int64_t col_cols() const { return out_h * out_w; }
  // A 1x1 kernel with unit stride and no padding reads a sample as its own column matrix.
  bool direct() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// Between one sample x [C,H,W] and its column matrix [C kh kw, Ho Wo]. Gather (im2col) writes
// col[(c kh + i) kw + j, oh Wo + ow] = x[c, oh sh - ph + i dh, ow sw - pw + j dw], zero where that
// lies in the padding; scatter (col2im) adds each column entry back into its x element.
template <bool kGather>
void transfer(const ConvGeometry& g, std::conditional_t<kGather, const float*, float*> x,
              std::conditional_t<kGather, float*, const float*> col) {
  const std::int64_t cols = g.col_cols();
  for (std::int64_t c = 0; c < g.channels; ++c) {
    auto xc = x + c * g.height * g.width;
    for (std::int64_t i = 0; i < g.kh; ++i) {
      for (std::int64_t j = 0; j < g.kw; ++j) {
        auto row = col + ((c * g.kh + i) * g.kw + j) * cols;
        // Input column of ow is ow sw + shift; [ow0, ow1) are the ones inside the image.
        const std::int64_t shift = j * g.dw - g.pw;
        const std::int64_t ow0 = std::min(g.out_w, shift >= 0 ? 0 : ceil_div(-shift, g.sw));
        const std::int64_t ow1 = std::max(ow0, std::min(g.out_w, ceil_div(g.width - shift, g.sw)));
        for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
          auto dst = row + oh * g.out_w;
          const std::int64_t ih = oh * g.sh - g.ph + i * g.dh;
          const bool inside = ih >= 0 && ih < g.height;
          const std::int64_t base = ih * g.width + shift;
          if constexpr (kGather) {
            if (!inside) {
              std::fill(dst, dst + g.out_w, 0.0f);
              continue;
            }
            std::fill(dst, dst + ow0, 0.0f);
            if (g.sw == 1) {
              std::memcpy(dst + ow0, xc + base + ow0,
                          static_cast<std::size_t>(ow1 - ow0) * sizeof(float));
            } else {
              for (std::int64_t ow = ow0; ow < ow1; ++ow) dst[ow] = xc[base + ow * g.sw];
            }
            std::fill(dst + ow1, dst + g.out_w, 0.0f);
          } else {
            if (!inside) continue;
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
  return g;
}

void conv_forward(const ConvGeometry& g, const Tensor& x, const Tensor& w, const Tensor& b,
                  Tensor& out) {
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
        }
      },
      1);
}

std::vector<Tensor> conv_backward(const ConvGeometry& g, const Tensor& x, const Tensor& w,
                                  bool has_bias, const Tensor& grad, const NeedsGrad& needs) {
  const std::int64_t m = g.out_channels, k = g.col_rows(), p = g.col_cols();
  Tensor gx, gw, gb, partials;
  if (needs[0]) gx = Tensor::empty(x.shape());
  const std::int64_t chunks = std::min(g.batch, kMaxWeightChunks);
  if (needs[1]) {
    gw = Tensor::zeros(w.shape());
    if (chunks > 1) partials = Tensor::zeros({chunks - 1, m * k});
  }
  const float* px = x.ptr();
  const float* pw = w.ptr();
  const float* pg = grad.ptr();
  parallel_for(
      chunks,
      [&](std::int64_t c0, std::int64_t c1) {
        float* col = g.direct() ? nullptr : scratch(2 * k * p);
        float* dcol = g.direct() ? nullptr : col + k * p;
        for (std::int64_t c = c0; c < c1; ++c) {
          float* dw = nullptr;
          if (needs[1]) dw = c == 0 ? gw.ptr() : partials.ptr() + (c - 1) * m * k;
          for (std::int64_t n = g.batch * c / chunks; n < g.batch * (c + 1) / chunks; ++n) {
            const float* xn = px + n * g.in_size();
            const float* gn = pg + n * m * p;
            if (needs[1]) {
              if (!g.direct()) transfer<true>(g, xn, col);
              gemm_serial(false, true, m, k, p, 1.0f, gn, p, g.direct() ? xn : col, p, 1.0f, dw, k);
            }
            if (needs[0]) {
              float* gxn = gx.ptr() + n * g.in_size();
              if (g.direct()) {
                gemm_serial(true, false, k, p, m, 1.0f, pw, k, gn, p, 0.0f, gxn, p);
                continue;
              }
              gemm_serial(true, false, k, p, m, 1.0f, pw, k, gn, p, 0.0f, dcol, p);
              std::fill(gxn, gxn + g.in_size(), 0.0f);
              transfer<false>(g, gxn, dcol);
            }
          }
        }
      },
      1);
  if (partials.defined()) {
    float* pdw = gw.ptr();
    const float* pp = partials.ptr();
    parallel_for(m * k, [&](std::int64_t e0, std::int64_t e1) {
      for (std::int64_t c = 0; c + 1 < chunks; ++c) {
        for (std::int64_t e = e0; e < e1; ++e) pdw[e] += pp[c * m * k + e];
      }
    });
  }
  if (has_bias && needs[2]) {
    gb = Tensor::empty({m});
    float* pgb = gb.ptr();
    parallel_for(
        m,
        [&](std::int64_t o0, std::int64_t o1) {
          for (std::int64_t o = o0; o < o1; ++o) {
            double total = 0.0;
            for (std::int64_t n = 0; n < g.batch; ++n) {
              const float* row = pg + (n * m + o) * p;
              for (std::int64_t i = 0; i < p; ++i) total += row[i];
            }
            pgb[o] = static_cast<float>(total);
          }
        },
        1);
  }
  return {gx, gw, gb};
}

template <std::size_t D>
Tensor convolution(const char* op, const Tensor& x, const Tensor& w, const Tensor& b,
                   const std::array<std::int64_t, D>& stride,
                   const std::array<std::int64_t, D>& padding,
                   const std::array<std::int64_t, D>& dilation) {
  const ConvGeometry g = plan<D>(op, x, w, b, stride, padding, dilation);
  Shape out_shape{g.batch, g.out_channels};
  if (D == 2) out_shape.push_back(g.out_h);
  out_shape.push_back(g.out_w);
  Tensor out = Tensor::empty(out_shape);
  conv_forward(g, x, w, b, out);
  // dL/dx = col2im(Wᵀ G_n), dL/dW = Σ_n G_n im2col(x_n)ᵀ, dL/db = Σ_{n,h,w} G
  return record(op, out, {x, w, b},
                [g, x = x.detach(), w = w.detach(), has_bias = b.defined()](
                    const Tensor& grad, const NeedsGrad& needs) {
                  return conv_backward(g, x, w, has_bias, grad, needs);
                });
}

}  // namespace

std::int64_t window_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                std::int64_t padding, std::int64_t dilation) {
  return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
              Size2 padding, Size2 dilation) {
  return convolution<2>("conv2d", x, weight, bias, stride, padding, dilation);
}

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride,
              std::int64_t padding, std::int64_t dilation) {
  return convolution<1>("conv1d", x, weight, bias, {stride}, {padding}, {dilation});
}

}  // namespace dither
