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

// Mean and variance from sums of (x - shift) and (x - shift)^2 over `count` elements. Shifting by
// one of the elements keeps the variance's precision when the mean is large next to the spread.
Moments moments(const Sums& s, float shift, std::int64_t count) {
  const double offset = s.u / static_cast<double>(count);
  return {shift + offset, std::max(0.0, s.uv / static_cast<double>(count) - offset * offset)};
}

// How batch_norm walks x seen as [N,C,S]: in tiles of up to `samples` runs of S (one channel, a
// block of samples), ordered block by block and channel by channel. A long plane is a tile of its
// own, read where it lies in memory; short runs are gathered by channel instead, since a run of a
// few floats is too small a piece of work. The tiling depends on the shape alone, so per-tile
// sums added in tile order give the same result at any thread count.
struct ChannelTiles {
  std::int64_t n, c, s, samples, blocks;

  ChannelTiles(std::int64_t n_, std::int64_t c_, std::int64_t s_)
      : n(n_),
        c(c_),
        s(s_),
        samples(s_ >= 64 ? 1 : std::max<std::int64_t>(n_, 1)),
        blocks((n_ + samples - 1) / samples) {}
  std::int64_t count() const { return blocks * c; }
  std::int64_t channel(std::int64_t t) const { return t % c; }
  std::int64_t runs(std::int64_t t) const { return std::min(samples, n - t / c * samples); }
  std::int64_t offset(std::int64_t t) const { return (t / c * samples * c + t % c) * s; }
  std::int64_t grain() const { return std::max<std::int64_t>(1, kGrainSize / (samples * s + 1)); }

  /// fn(channel, begin, end) for each run [begin, end) of x's elements, tiles split across threads.
  template <class Fn>
  void for_each_run(const Fn& fn) const {
    parallel_for(
        count(),
        [&](std::int64_t t0, std::int64_t t1) {
          for (std::int64_t t = t0; t < t1; ++t) {
            for (std::int64_t r = 0; r < runs(t); ++r) {
              const std::int64_t begin = offset(t) + r * c * s;
              fn(channel(t), begin, begin + s);
            }
          }
        },
        grain());
  }

  /// Per channel, Sums of (a - ca[ch]) and (a - ca[ch])(b - cb[ch]) over every axis but 1.
  std::vector<Sums> channel_sums(const float* a, const float* ca, const float* b,
                                 const float* cb) const {
    std::vector<Sums> tile(static_cast<std::size_t>(count()));
    parallel_for(
        count(),
        [&](std::int64_t t0, std::int64_t t1) {
          for (std::int64_t t = t0; t < t1; ++t) {
            const std::int64_t ch = channel(t);
            tile[static_cast<std::size_t>(t)] =
                sums(a + offset(t), ca[ch], b + offset(t), cb[ch], runs(t), s, c * s);
          }
        },
        grain());
    std::vector<Sums> total(static_cast<std::size_t>(c));
    for (std::int64_t t = 0; t < count(); ++t) {
      Sums& into = total[static_cast<std::size_t>(channel(t))];
      into.u += tile[static_cast<std::size_t>(t)].u;
      into.uv += tile[static_cast<std::size_t>(t)].uv;
    }
    return total;
  }
};

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

  const ChannelTiles tiles(n, c, s);
  Tensor mean = Tensor::empty({c});
  Tensor invstd = Tensor::empty({c});
  Tensor scale = Tensor::empty({c});  // gamma invstd
  Tensor out = Tensor::empty(x.shape());
  const float* px = x.ptr();
  float* pm = mean.ptr();
  float* pi = invstd.ptr();
  float* pk = scale.ptr();
  std::vector<float> shift(static_cast<std::size_t>(c));
  if (training) {
    // Each channel shifted by its first element.
    for (std::int64_t ch = 0; ch < c; ++ch) shift[static_cast<std::size_t>(ch)] = px[ch * s];
    const std::vector<Sums> total = tiles.channel_sums(px, shift.data(), px, shift.data());
    const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
    for (std::int64_t ch = 0; ch < c; ++ch) {
      const auto i = static_cast<std::size_t>(ch);
      const Moments m = moments(total[i], shift[i], count);
      pm[ch] = static_cast<float>(m.mean);
      pi[ch] = static_cast<float>(1.0 / std::sqrt(m.var + eps));
      if (!running_mean.defined()) continue;
      float& rm = running_mean.ptr()[ch];
      float& rv = running_var.ptr()[ch];
      rm = static_cast<float>((1.0 - momentum) * rm + momentum * m.mean);
      rv = static_cast<float>((1.0 - momentum) * rv + momentum * m.var * unbiased);
    }
  } else {
    // Copies, so a later training step that updates the buffers cannot change this backward.
    for (std::int64_t ch = 0; ch < c; ++ch) {
      pm[ch] = running_mean.ptr()[ch];
      pi[ch] =
          static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var.ptr()[ch]) + eps));
    }
  }
  for (std::int64_t ch = 0; ch < c; ++ch) {
    pk[ch] = (gamma.defined() ? gamma.ptr()[ch] : 1.0f) * pi[ch];
    shift[static_cast<std::size_t>(ch)] =
        (beta.defined() ? beta.ptr()[ch] : 0.0f) - pm[ch] * pk[ch];
  }
  float* po = out.ptr();
  tiles.for_each_run([&](std::int64_t ch, std::int64_t begin, std::int64_t end) {
    const float k = pk[ch];
    const float b = shift[static_cast<std::size_t>(ch)];
    for (std::int64_t i = begin; i < end; ++i) po[i] = px[i] * k + b;
  });

  // dL/dx = gamma invstd (G - mean(G) - xhat mean(G xhat)) in training, gamma invstd G in eval;
  // dL/dgamma = sum of G xhat, dL/dbeta = sum of G (sums over every axis but 1)
  return record(
      "batch_norm", out, {x, gamma, beta},
      [x = x.detach(), mean, invstd, scale, training, tiles, count, has_gamma = gamma.defined(),
       has_beta = beta.defined()](const Tensor& grad, const NeedsGrad& needs) {
        const std::int64_t c = tiles.c;
        const float* px = x.ptr();
        const float* pm = mean.ptr();
        const float* pi = invstd.ptr();
        const float* pk = scale.ptr();
        const bool want_gamma = needs[1] && has_gamma;
        const bool want_beta = needs[2] && has_beta;
        Tensor sum_g = Tensor::zeros({c});
        Tensor sum_gx = Tensor::zeros({c});  // sum of G xhat
        if (training || want_gamma || want_beta) {
          const std::vector<float> zero(static_cast<std::size_t>(c), 0.0f);
          const std::vector<Sums> total = tiles.channel_sums(grad.ptr(), zero.data(), px, pm);
          for (std::int64_t ch = 0; ch < c; ++ch) {
            sum_g.ptr()[ch] = static_cast<float>(total[static_cast<std::size_t>(ch)].u);
            sum_gx.ptr()[ch] = static_cast<float>(total[static_cast<std::size_t>(ch)].uv * pi[ch]);
          }
        }
        Tensor gx;
        if (needs[0]) {
          // k (g - mean(g) - (x - mean) invstd mean(g xhat)) as k g + b x + offset per channel.
          std::vector<float> b(static_cast<std::size_t>(c)), offset(static_cast<std::size_t>(c));
          const auto inv_count = static_cast<float>(1.0 / static_cast<double>(count));
          for (std::int64_t ch = 0; ch < c; ++ch) {
            const float g_mean = training ? sum_g.ptr()[ch] * inv_count : 0.0f;
            const float gx_mean = training ? sum_gx.ptr()[ch] * inv_count : 0.0f;
            b[static_cast<std::size_t>(ch)] = -pk[ch] * pi[ch] * gx_mean;
            offset[static_cast<std::size_t>(ch)] = pk[ch] * (pi[ch] * gx_mean * pm[ch] - g_mean);
          }
          gx = Tensor::empty(x.shape());
          const float* pg = grad.ptr();
          float* pgx = gx.ptr();
          tiles.for_each_run([&](std::int64_t ch, std::int64_t begin, std::int64_t end) {
            const float k = pk[ch];
            const float bx = b[static_cast<std::size_t>(ch)];
            const float o = offset[static_cast<std::size_t>(ch)];
            for (std::int64_t i = begin; i < end; ++i) pgx[i] = k * pg[i] + bx * px[i] + o;
          });
        }
        return std::vector<Tensor>{gx, want_gamma ? sum_gx : Tensor(),
                                   want_beta ? sum_g : Tensor()};
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
          const float* row = px + r * d;
          const Moments m = moments(sums(row, row[0], row, row[0], 1, d, d), row[0], d);
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
