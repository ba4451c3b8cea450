#include "core/ops/norm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

struct Sums {
  double u = 0.0;   // sum of (a_i - ca)
  double uv = 0.0;  // sum of (a_i - ca)(b_i - cb)
};

// Four float lanes (GCC and Clang vector extension): the compiler does not vectorise a float sum
// by itself, since that reorders the additions, and a scalar sum runs at a quarter of the speed.
using Lanes = float __attribute__((vector_size(16)));

Lanes load(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// Sums over `runs` runs of `length` elements that start `stride` apart (a channel of [N,C,S]: N
// runs of S, stride C S; a layer-norm row: one run). Each block of a run goes to eight float
// lanes and then into double totals, always in the same order: the same result at any thread
// count, with float error bounded by the block length.
Sums sums(const float* a, float ca, const float* b, float cb, std::int64_t runs,
          std::int64_t length, std::int64_t stride) {
  constexpr std::int64_t kBlock = 512;
  const Lanes shift_a = {ca, ca, ca, ca};
  const Lanes shift_b = {cb, cb, cb, cb};
  Sums total;
  for (std::int64_t r = 0; r < runs; ++r) {
    const float* pa = a + r * stride;
    const float* pb = b + r * stride;
    for (std::int64_t start = 0; start < length; start += kBlock) {
      const std::int64_t end = std::min(length, start + kBlock);
      Lanes u0{}, u1{}, uv0{}, uv1{};
      std::int64_t i = start;
      for (; i + 8 <= end; i += 8) {
        const Lanes d0 = load(pa + i) - shift_a;
        const Lanes d1 = load(pa + i + 4) - shift_a;
        u0 += d0;
        u1 += d1;
        uv0 += d0 * (load(pb + i) - shift_b);
        uv1 += d1 * (load(pb + i + 4) - shift_b);
      }
      for (int l = 0; l < 4; ++l) {
        total.u += static_cast<double>(u0[l]) + u1[l];
        total.uv += static_cast<double>(uv0[l]) + uv1[l];
      }
      for (; i < end; ++i) {
        const float d = pa[i] - ca;
        total.u += d;
        total.uv += d * (pb[i] - cb);
      }
    }
  }
  return total;
}

struct Moments {
  double mean = 0.0;
  double var = 0.0;  // biased
};

// One pass, shifted by the first element so that the variance keeps its precision when the mean
// is large next to the spread.
Moments moments(const float* p, std::int64_t runs, std::int64_t length, std::int64_t stride) {
  const float shift = p[0];
  const Sums s = sums(p, shift, p, shift, runs, length, stride);
  const auto count = static_cast<double>(runs * length);
  const double offset = s.u / count;
  return {shift + offset, std::max(0.0, s.uv / count - offset * offset)};
}

// Rows of `length` per parallel task so that each task has about kGrainSize elements.
std::int64_t rows_grain(std::int64_t length) {
  return std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, length));
}

void check_per_channel(const Tensor& t, const char* name, const Tensor& x) {
  check_shape(!t.defined() || t.shape() == Shape{x.size(1)}, "batch_norm: ", name, " ",
              t.defined() ? t.shape() : Shape{}, " does not match input ", x.shape(), " with ",
              x.size(1), " channels");
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean,
                  Tensor running_var, bool training, float momentum, float eps) {
  check_shape(x.dim() >= 2, "batch_norm: expected input [N,C] or [N,C,...], got ", x.shape());
  check_per_channel(gamma, "gamma", x);
  check_per_channel(beta, "beta", x);
  check_per_channel(running_mean, "running_mean", x);
  check_per_channel(running_var, "running_var", x);
  check(running_mean.defined() == running_var.defined(),
        "batch_norm: running_mean and running_var must both be given or both be undefined");
  check(training || running_mean.defined(),
        "batch_norm: evaluation mode needs running_mean and running_var");
  const std::int64_t n = x.size(0), c = x.size(1);
  const std::int64_t s = n * c == 0 ? 0 : x.numel() / (n * c);
  const std::int64_t count = n * s;
  check_shape(!training || count > 1,
              "batch_norm: expected more than 1 value per channel when training, got input ",
              x.shape());

  Tensor mean = Tensor::empty({c});
  Tensor invstd = Tensor::empty({c});
  const float* px = x.ptr();
  float* pm = mean.ptr();
  float* pi = invstd.ptr();
  if (training) {
    float* prm = running_mean.defined() ? running_mean.ptr() : nullptr;
    float* prv = running_var.defined() ? running_var.ptr() : nullptr;
    const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
    parallel_for(
        c,
        [&](std::int64_t c0, std::int64_t c1) {
          for (std::int64_t ch = c0; ch < c1; ++ch) {
            const Moments m = moments(px + ch * s, n, s, c * s);
            pm[ch] = static_cast<float>(m.mean);
            pi[ch] = static_cast<float>(1.0 / std::sqrt(m.var + eps));
            if (prm == nullptr) continue;
            prm[ch] = static_cast<float>((1.0 - momentum) * prm[ch] + momentum * m.mean);
            prv[ch] = static_cast<float>((1.0 - momentum) * prv[ch] + momentum * m.var * unbiased);
          }
        },
        rows_grain(count));
  } else {
    // Copies, so a later training step that updates the buffers cannot change this backward.
    const float* prm = running_mean.ptr();
    const float* prv = running_var.ptr();
    for (std::int64_t ch = 0; ch < c; ++ch) {
      pm[ch] = prm[ch];
      pi[ch] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(prv[ch]) + eps));
    }
  }

  std::vector<float> scale(static_cast<std::size_t>(c)), shift(static_cast<std::size_t>(c));
  for (std::int64_t ch = 0; ch < c; ++ch) {
    const auto i = static_cast<std::size_t>(ch);
    scale[i] = (gamma.defined() ? gamma.ptr()[ch] : 1.0f) * pi[ch];
    shift[i] = (beta.defined() ? beta.ptr()[ch] : 0.0f) - pm[ch] * scale[i];
  }
  Tensor out = Tensor::empty(x.shape());
  float* po = out.ptr();
  parallel_for(
      n * c,
      [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t plane = p0; plane < p1; ++plane) {
          const auto ch = static_cast<std::size_t>(plane % c);
          const float k = scale[ch];
          const float b = shift[ch];
          for (std::int64_t i = plane * s; i < (plane + 1) * s; ++i) po[i] = px[i] * k + b;
        }
      },
      rows_grain(s));

  // dL/dx = gamma invstd (G - mean(G) - xhat mean(G xhat)) in training, gamma invstd G in eval;
  // dL/dgamma = sum of G xhat, dL/dbeta = sum of G (sums over every axis but 1)
  return record("batch_norm", out, {x, gamma, beta},
                [x = x.detach(), scale = std::move(scale), mean, invstd, training, n, c, s, count,
                 has_gamma = gamma.defined(),
                 has_beta = beta.defined()](const Tensor& grad, const NeedsGrad& needs) {
                  const float* px = x.ptr();
                  const float* pg = grad.ptr();
                  const float* pm = mean.ptr();
                  const float* pi = invstd.ptr();
                  Tensor sum_g = Tensor::empty({c});
                  Tensor sum_gx = Tensor::empty({c});
                  float* psg = sum_g.ptr();
                  float* psgx = sum_gx.ptr();
                  if (training || (needs[1] && has_gamma) || (needs[2] && has_beta)) {
                    parallel_for(
                        c,
                        [&](std::int64_t c0, std::int64_t c1) {
                          for (std::int64_t ch = c0; ch < c1; ++ch) {
                            const Sums t =
                                sums(pg + ch * s, 0.0f, px + ch * s, pm[ch], n, s, c * s);
                            psg[ch] = static_cast<float>(t.u);
                            psgx[ch] = static_cast<float>(t.uv * pi[ch]);
                          }
                        },
                        rows_grain(count));
                  }
                  Tensor gx;
                  if (needs[0]) {
                    gx = Tensor::empty(x.shape());
                    float* pgx = gx.ptr();
                    const float inv_count = 1.0f / static_cast<float>(count);
                    parallel_for(
                        n * c,
                        [&](std::int64_t p0, std::int64_t p1) {
                          for (std::int64_t plane = p0; plane < p1; ++plane) {
                            const std::int64_t ch = plane % c;
                            const float k = scale[static_cast<std::size_t>(ch)];
                            const float g_mean = training ? psg[ch] * inv_count : 0.0f;
                            const float gx_mean = training ? psgx[ch] * inv_count : 0.0f;
                            // k (g - g_mean - (x - mean) invstd gx_mean) as a g + b x + c.
                            const float b = -k * pi[ch] * gx_mean;
                            const float c0 = k * (pi[ch] * gx_mean * pm[ch] - g_mean);
                            for (std::int64_t i = plane * s; i < (plane + 1) * s; ++i) {
                              pgx[i] = k * pg[i] + b * px[i] + c0;
                            }
                          }
                        },
                        rows_grain(s));
                  }
                  return std::vector<Tensor>{gx, needs[1] && has_gamma ? sum_gx : Tensor(),
                                             needs[2] && has_beta ? sum_g : Tensor()};
                });
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& gamma,
                  const Tensor& beta, float eps) {
  const std::size_t k = normalized_shape.size();
  const Shape& sx = x.shape();
  check_shape(k >= 1 && k <= sx.size() &&
                  std::equal(normalized_shape.begin(), normalized_shape.end(), sx.end() - k),
              "layer_norm: normalized_shape ", normalized_shape,
              " does not match the trailing axes of input ", sx);
  for (const Tensor* t : {&gamma, &beta}) {
    check_shape(!t->defined() || t->shape() == normalized_shape,
                "layer_norm: ", t == &gamma ? "gamma " : "beta ",
                t->defined() ? t->shape() : Shape{}, " does not match normalized_shape ",
                normalized_shape);
  }
  const std::int64_t d = numel(normalized_shape);
  check_shape(d > 0, "layer_norm: normalized_shape ", normalized_shape, " is empty");
  const std::int64_t rows = x.numel() / d;
  Tensor mean = Tensor::empty({rows});
  Tensor rstd = Tensor::empty({rows});
  Tensor out = Tensor::empty(sx);
  const float* px = x.ptr();
  const float* pga = gamma.defined() ? gamma.ptr() : nullptr;
  const float* pbe = beta.defined() ? beta.ptr() : nullptr;
  float* pm = mean.ptr();
  float* pr = rstd.ptr();
  float* po = out.ptr();
  parallel_for(
      rows,
      [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          const Moments m = moments(px + r * d, 1, d, d);
          pm[r] = static_cast<float>(m.mean);
          pr[r] = static_cast<float>(1.0 / std::sqrt(m.var + eps));
          for (std::int64_t j = 0; j < d; ++j) {
            const float xhat = (px[r * d + j] - pm[r]) * pr[r];
            po[r * d + j] = xhat * (pga ? pga[j] : 1.0f) + (pbe ? pbe[j] : 0.0f);
          }
        }
      },
      rows_grain(d));

  // dL/dx = rstd (H - mean(H) - xhat mean(H xhat)) with H = G gamma;
  // dL/dgamma = sum over rows of G xhat, dL/dbeta = sum over rows of G
  return record(
      "layer_norm", out, {x, gamma, beta},
      [x = x.detach(), gamma = gamma.defined() ? gamma.detach() : Tensor(), normalized_shape, mean,
       rstd, rows, d, has_gamma = gamma.defined(),
       has_beta = beta.defined()](const Tensor& grad, const NeedsGrad& needs) {
        const float* px = x.ptr();
        const float* pg = grad.ptr();
        const float* pga = has_gamma ? gamma.ptr() : nullptr;
        const float* pm = mean.ptr();
        const float* pr = rstd.ptr();
        auto xhat = [&](std::int64_t r, std::int64_t j) { return (px[r * d + j] - pm[r]) * pr[r]; };
        Tensor gx, ggamma, gbeta;
        if (needs[0]) {
          gx = Tensor::empty(x.shape());
          float* pgx = gx.ptr();
          parallel_for(
              rows,
              [&](std::int64_t r0, std::int64_t r1) {
                for (std::int64_t r = r0; r < r1; ++r) {
                  double total = 0.0, weighted = 0.0;
                  for (std::int64_t j = 0; j < d; ++j) {
                    const double h = pg[r * d + j] * (pga ? pga[j] : 1.0f);
                    total += h;
                    weighted += h * xhat(r, j);
                  }
                  const auto h_mean = static_cast<float>(total / static_cast<double>(d));
                  const auto hx_mean = static_cast<float>(weighted / static_cast<double>(d));
                  for (std::int64_t j = 0; j < d; ++j) {
                    const float h = pg[r * d + j] * (pga ? pga[j] : 1.0f);
                    pgx[r * d + j] = pr[r] * (h - h_mean - xhat(r, j) * hx_mean);
                  }
                }
              },
              rows_grain(d));
        }
        const bool want_gamma = needs[1] && has_gamma;
        const bool want_beta = needs[2] && has_beta;
        if (want_gamma || want_beta) {
          ggamma = Tensor::empty(normalized_shape);
          gbeta = Tensor::empty(normalized_shape);
          float* pgg = ggamma.ptr();
          float* pgb = gbeta.ptr();
          // Column blocks in parallel; each column adds its rows in order.
          const std::int64_t block = 256;
          parallel_for((d + block - 1) / block,
                       [&](std::int64_t b0, std::int64_t b1) {
                         for (std::int64_t j0 = b0 * block; j0 < std::min(d, b1 * block);
                              j0 += block) {
                           const std::int64_t j1 = std::min(d, j0 + block);
                           std::vector<double> sum_gx(static_cast<std::size_t>(j1 - j0), 0.0);
                           std::vector<double> sum_g(sum_gx.size(), 0.0);
                           for (std::int64_t r = 0; r < rows; ++r) {
                             for (std::int64_t j = j0; j < j1; ++j) {
                               const auto i = static_cast<std::size_t>(j - j0);
                               sum_gx[i] += pg[r * d + j] * xhat(r, j);
                               sum_g[i] += pg[r * d + j];
                             }
                           }
                           for (std::int64_t j = j0; j < j1; ++j) {
                             pgg[j] = static_cast<float>(sum_gx[static_cast<std::size_t>(j - j0)]);
                             pgb[j] = static_cast<float>(sum_g[static_cast<std::size_t>(j - j0)]);
                           }
                         }
                       },
                       1);
        }
        return std::vector<Tensor>{gx, want_gamma ? ggamma : Tensor(),
                                   want_beta ? gbeta : Tensor()};
      });
}

}  // namespace dither
