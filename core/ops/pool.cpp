#include "core/ops/pool.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

struct PoolGeometry {
  Shape in_shape, out_shape;
  std::int64_t planes = 0, height = 0, width = 0;
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, out_h = 0, out_w = 0;

  std::int64_t in_plane() const { return height * width; }
  std::int64_t out_plane() const { return out_h * out_w; }
};

Shape as_shape(const Size2& s) { return {s[0], s[1]}; }

PoolGeometry plan(const char* op, const Tensor& x, Size2 kernel, Size2 stride, Size2 padding) {
  check_shape(x.dim() == 4, op, ": expected input [N,C,H,W], got ", x.shape());
  for (std::size_t a = 0; a < 2; ++a) {
    check_shape(kernel[a] > 0, op, ": kernel must be positive, got ", as_shape(kernel));
    check_shape(stride[a] > 0, op, ": stride must be positive, got ", as_shape(stride));
    check_shape(padding[a] >= 0 && 2 * padding[a] <= kernel[a], op, ": padding ", as_shape(padding),
                " must be between 0 and half the kernel ", as_shape(kernel));
    check_shape(kernel[a] <= x.size(static_cast<std::int64_t>(a) + 2) + 2 * padding[a], op,
                ": kernel ", as_shape(kernel), " is larger than input ", x.shape(),
                " with padding ", as_shape(padding));
  }
  PoolGeometry g;
  g.planes = x.size(0) * x.size(1);
  g.height = x.size(2);
  g.width = x.size(3);
  g.kh = kernel[0];
  g.kw = kernel[1];
  g.sh = stride[0];
  g.sw = stride[1];
  g.ph = padding[0];
  g.pw = padding[1];
  g.out_h = window_output_size(g.height, g.kh, g.sh, g.ph);
  g.out_w = window_output_size(g.width, g.kw, g.sw, g.pw);
  g.in_shape = x.shape();
  g.out_shape = {x.size(0), x.size(1), g.out_h, g.out_w};
  return g;
}

// Planes per parallel task: about kGrainSize window elements each.
std::int64_t plane_grain(const PoolGeometry& g) {
  return std::max<std::int64_t>(
      1, kGrainSize / std::max<std::int64_t>(1, g.out_plane() * g.kh * g.kw));
}

// fn(plane, o, h0, h1, w0, w1) for output o of every plane, where [h0,h1) x [w0,w1) is o's window
// clipped to the input (never empty: padding is at most half the kernel). Planes are split across
// threads, so fn may write anywhere in its own plane.
template <class Fn>
void for_each_window(const PoolGeometry& g, const Fn& fn) {
  parallel_for(
      g.planes,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t plane = p0; plane < p1; ++plane) {
          for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
            const std::int64_t top = oh * g.sh - g.ph;
            const std::int64_t h0 = std::max<std::int64_t>(top, 0);
            const std::int64_t h1 = std::min(top + g.kh, g.height);
            for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
              const std::int64_t left = ow * g.sw - g.pw;
              const std::int64_t w0 = std::max<std::int64_t>(left, 0);
              const std::int64_t w1 = std::min(left + g.kw, g.width);
              fn(plane, oh * g.out_w + ow, h0, h1, w0, w1);
            }
          }
        }
      },
      plane_grain(g));
}

// a where mask is all ones, b where it is zero. Bit operations rather than a branch: random data
// would mispredict half the branches, and the blend lets the compiler vectorise the loop.
float blend(std::uint32_t mask, float a, float b) {
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & mask) |
                              (std::bit_cast<std::uint32_t>(b) & ~mask));
}

// One kernel tap along an output row: best[t] takes src[t step] where that is larger or NaN
// (strict: the first maximum stays), and arg[t] its plane index first + t step. A compile-time
// step (kStep > 0) lets the compiler vectorise the strided reads; the three rows never overlap.
template <bool kTrack, int kStep>
void tap_row(const float* __restrict src, float* __restrict best, float* __restrict arg, int n,
             float first, int step) {
  if constexpr (kStep > 0) step = kStep;
  for (int t = 0; t < n; ++t) {
    const float v = src[t * step];
    const float b = best[t];
    const std::uint32_t mask = 0u - static_cast<std::uint32_t>((v > b) | (v != v));
    best[t] = blend(mask, v, b);
    if constexpr (kTrack) arg[t] = blend(mask, first + static_cast<float>(t * step), arg[t]);
  }
}

// Where the taps of a max-pooling window read, worked out once per call: for each kernel row i
// and column j the outputs it reaches inside the input, and for each output of a plane the index
// of its window's first element inside the input (the argmax of a window of -inf).
struct Taps {
  std::vector<std::pair<std::int64_t, std::int64_t>> rows, cols;
  std::vector<float> first;

  explicit Taps(const PoolGeometry& g) {
    for (std::int64_t i = 0; i < g.kh; ++i)
      rows.push_back(window_tap_range(i, g.sh, g.ph, g.height, g.out_h));
    for (std::int64_t j = 0; j < g.kw; ++j)
      cols.push_back(window_tap_range(j, g.sw, g.pw, g.width, g.out_w));
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
        const std::int64_t h = std::max<std::int64_t>(oh * g.sh - g.ph, 0);
        const std::int64_t w = std::max<std::int64_t>(ow * g.sw - g.pw, 0);
        first.push_back(static_cast<float>(h * g.width + w));
      }
    }
  }
};

// Max pooling of one plane, one kernel tap at a time over every output row it reaches, so the
// inner loop runs along a row without branches. A NaN is taken and then kept, as in PyTorch; `at`
// (kTrack) gets the plane index of each window's first maximum in row-major order, as a float.
template <bool kTrack, int kStep>
void max_pool_plane(const PoolGeometry& g, const Taps& taps, const float* x, float* out,
                    float* at) {
  std::fill(out, out + g.out_plane(), -std::numeric_limits<float>::infinity());
  if constexpr (kTrack) std::copy(taps.first.begin(), taps.first.end(), at);
  const auto step = static_cast<int>(g.sw);
  for (std::int64_t i = 0; i < g.kh; ++i) {
    const auto [oh0, oh1] = taps.rows[static_cast<std::size_t>(i)];
    for (std::int64_t j = 0; j < g.kw; ++j) {
      const auto [ow0, ow1] = taps.cols[static_cast<std::size_t>(j)];
      for (std::int64_t oh = oh0; oh < oh1; ++oh) {
        const std::int64_t start = (oh * g.sh + i - g.ph) * g.width + ow0 * g.sw + j - g.pw;
        tap_row<kTrack, kStep>(x + start, out + oh * g.out_w + ow0,
                               kTrack ? at + oh * g.out_w + ow0 : nullptr,
                               static_cast<int>(ow1 - ow0), static_cast<float>(start), step);
      }
    }
  }
}

// max_pool_plane with the column step fixed at compile time where it is 1 or 2.
template <bool kTrack>
void max_pool_plane(const PoolGeometry& g, const Taps& taps, const float* x, float* out,
                    float* at) {
  if (g.sw == 1) return max_pool_plane<kTrack, 1>(g, taps, x, out, at);
  if (g.sw == 2) return max_pool_plane<kTrack, 2>(g, taps, x, out, at);
  max_pool_plane<kTrack, 0>(g, taps, x, out, at);
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding) {
  const PoolGeometry g = plan("max_pool2d", x, kernel, stride, padding);
  // Window maxima are kept as float indices (exact below 2^24) in pooled storage, and only when
  // a backward will need them.
  check_shape(g.in_plane() <= (std::int64_t{1} << 24), "max_pool2d: input maps of ", x.shape(),
              " have more than 2^24 elements");
  Tensor out = Tensor::empty(g.out_shape);
  Tensor argmax;
  if (GradMode::enabled() && x.requires_grad()) argmax = Tensor::empty(g.out_shape);
  const Taps taps(g);
  const float* px = x.ptr();
  float* po = out.ptr();
  parallel_for(
      g.planes,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t plane = p0; plane < p1; ++plane) {
          const float* xp = px + plane * g.in_plane();
          float* op = po + plane * g.out_plane();
          if (argmax.defined()) {
            max_pool_plane<true>(g, taps, xp, op, argmax.ptr() + plane * g.out_plane());
          } else {
            max_pool_plane<false>(g, taps, xp, op, nullptr);
          }
        }
      },
      plane_grain(g));
  // dL/dx = G routed to the first maximum of each window
  return record("max_pool2d", out, {x}, [g, argmax](const Tensor& grad, const NeedsGrad&) {
    Tensor gx = Tensor::empty(g.in_shape);
    const float* pg = grad.ptr();
    const float* pa = argmax.ptr();
    float* pgx = gx.ptr();
    parallel_for(
        g.planes,
        [&](std::int64_t p0, std::int64_t p1) {
          for (std::int64_t plane = p0; plane < p1; ++plane) {
            // Zeroed plane by plane, so the scatter finds it still in cache.
            float* dst = pgx + plane * g.in_plane();
            std::fill(dst, dst + g.in_plane(), 0.0f);
            for (std::int64_t o = plane * g.out_plane(); o < (plane + 1) * g.out_plane(); ++o) {
              dst[static_cast<std::int64_t>(pa[o])] += pg[o];
            }
          }
        },
        plane_grain(g));
    return std::vector<Tensor>{gx};
  });
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel, Size2 stride, Size2 padding,
                  bool count_include_pad) {
  const PoolGeometry g = plan("avg_pool2d", x, kernel, stride, padding);
  auto divisor = [g, count_include_pad](std::int64_t h0, std::int64_t h1, std::int64_t w0,
                                        std::int64_t w1) {
    return static_cast<float>(count_include_pad ? g.kh * g.kw : (h1 - h0) * (w1 - w0));
  };
  Tensor out = Tensor::empty(g.out_shape);
  const float* px = x.ptr();
  float* po = out.ptr();
  for_each_window(g, [&](std::int64_t plane, std::int64_t o, std::int64_t h0, std::int64_t h1,
                         std::int64_t w0, std::int64_t w1) {
    const float* xp = px + plane * g.in_plane();
    float total = 0.0f;
    for (std::int64_t h = h0; h < h1; ++h) {
      for (std::int64_t w = w0; w < w1; ++w) total += xp[h * g.width + w];
    }
    po[plane * g.out_plane() + o] = total / divisor(h0, h1, w0, w1);
  });
  // dL/dx = G / divisor spread over each window
  return record("avg_pool2d", out, {x}, [g, divisor](const Tensor& grad, const NeedsGrad&) {
    Tensor gx = Tensor::zeros(g.in_shape);
    const float* pg = grad.ptr();
    float* pgx = gx.ptr();
    for_each_window(g, [&](std::int64_t plane, std::int64_t o, std::int64_t h0, std::int64_t h1,
                           std::int64_t w0, std::int64_t w1) {
      float* dst = pgx + plane * g.in_plane();
      const float share = pg[plane * g.out_plane() + o] / divisor(h0, h1, w0, w1);
      for (std::int64_t h = h0; h < h1; ++h) {
        for (std::int64_t w = w0; w < w1; ++w) dst[h * g.width + w] += share;
      }
    });
    return std::vector<Tensor>{gx};
  });
}

Tensor global_avg_pool2d(const Tensor& x) {
  check_shape(x.dim() == 4, "global_avg_pool2d: expected input [N,C,H,W], got ", x.shape());
  const std::int64_t planes = x.size(0) * x.size(1);
  const std::int64_t size = x.size(2) * x.size(3);
  check_shape(size > 0, "global_avg_pool2d: input ", x.shape(), " has empty maps");
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainSize / size);
  Tensor out = Tensor::empty({x.size(0), x.size(1)});
  const float* px = x.ptr();
  float* po = out.ptr();
  parallel_for(
      planes,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t plane = p0; plane < p1; ++plane) {
          double total = 0.0;
          for (std::int64_t i = 0; i < size; ++i) total += px[plane * size + i];
          po[plane] = static_cast<float>(total / static_cast<double>(size));
        }
      },
      grain);
  // dL/dx[n,c,h,w] = G[n,c] / (H W)
  return record("global_avg_pool2d", out, {x},
                [in_shape = x.shape(), planes, size, grain](const Tensor& grad, const NeedsGrad&) {
                  Tensor gx = Tensor::empty(in_shape);
                  const float* pg = grad.ptr();
                  float* pgx = gx.ptr();
                  parallel_for(
                      planes,
                      [&](std::int64_t p0, std::int64_t p1) {
                        for (std::int64_t plane = p0; plane < p1; ++plane) {
                          const float share = pg[plane] / static_cast<float>(size);
                          std::fill(pgx + plane * size, pgx + (plane + 1) * size, share);
                        }
                      },
                      grain);
                  return std::vector<Tensor>{gx};
                });
}

}  // namespace dither
