#include "core/ops/matmul.h"

#include <cstring>

#include "core/autograd.h"
#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

// out[j] = sum over rows of g[r, j], in a fixed row order per column block.
Tensor column_sums(const Tensor& g, std::int64_t rows, std::int64_t cols) {
  Tensor out = Tensor::zeros({cols});
  const float* pg = g.ptr();
  float* po = out.ptr();
  const std::int64_t block = 256;
  parallel_for((cols + block - 1) / block,
               [&](std::int64_t b0, std::int64_t b1) {
                 for (std::int64_t b = b0; b < b1; ++b) {
                   const std::int64_t j0 = b * block;
                   const std::int64_t j1 = std::min(cols, j0 + block);
                   for (std::int64_t r = 0; r < rows; ++r) {
                     const float* row = pg + r * cols;
                     for (std::int64_t j = j0; j < j1; ++j) po[j] += row[j];
                   }
                 }
               },
               1);
  return out;
}

// A product's input and weight gradients cost the same multiply-adds (m n k each), so when both
// are wanted they run side by side, each GEMM whole on its share of the threads.
template <class InputGrad, class WeightGrad>
void gradients_of_product(bool input_wanted, const InputGrad& input_grad, bool weight_wanted,
                          const WeightGrad& weight_grad) {
  if (input_wanted && weight_wanted) {
    side_by_side(input_grad, weight_grad);
  } else if (input_wanted) {
    input_grad();
  } else if (weight_wanted) {
    weight_grad();
  }
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  const bool batched = sa.size() == 3;
  check_shape((sa.size() == 2 || batched) && (sb.size() == 2 || (batched && sb.size() == 3)),
              "matmul: expected [m,k] x [k,n] or [B,m,k] x [B,k,n] / [k,n], got ", sa, " and ", sb);
  const std::int64_t batch = batched ? sa[0] : 1;
  const std::int64_t m = sa[sa.size() - 2];
  const std::int64_t k = sa.back();
  const std::int64_t n = sb.back();
  const bool b_batched = sb.size() == 3;
  check_shape(sb[sb.size() - 2] == k && (!b_batched || sb[0] == batch), "matmul: cannot multiply ",
              sa, " by ", sb);
  // An empty inner dimension makes a zero product (and is not a valid BLAS leading dimension).
  Tensor out = k == 0 ? Tensor::zeros(batched ? Shape{batch, m, n} : Shape{m, n})
                      : Tensor::empty(batched ? Shape{batch, m, n} : Shape{m, n});
  const std::int64_t b_step = b_batched ? k * n : 0;
  for (std::int64_t i = 0; i < batch && k > 0; ++i) {
    gemm(false, false, m, n, k, 1.0f, a.ptr() + i * m * k, k, b.ptr() + i * b_step, n, 0.0f,
         out.ptr() + i * m * n, n);
  }
  // d(AB)/dA = G Bᵀ, d(AB)/dB = Aᵀ G (summed over the batch when B is shared)
  return record("matmul", out, {a, b},
                [a = a.detach(), b = b.detach(), batch, m, k, n, b_step](const Tensor& g,
                                                                         const NeedsGrad& needs) {
                  Tensor ga = needs[0] ? Tensor::empty(a.shape()) : Tensor();
                  Tensor gb = !needs[1]    ? Tensor()
                              : batch == 0 ? Tensor::zeros(b.shape())
                                           : Tensor::empty(b.shape());
                  const auto input_grad = [&] {
                    for (std::int64_t i = 0; i < batch; ++i) {
                      gemm(false, true, m, k, n, 1.0f, g.ptr() + i * m * n, n, b.ptr() + i * b_step,
                           n, 0.0f, ga.ptr() + i * m * k, k);
                    }
                  };
                  const auto weight_grad = [&] {
                    for (std::int64_t i = 0; i < batch; ++i) {
                      // A shared B (b_step 0) accumulates over the batch after the first product.
                      const float beta = b_step == 0 && i > 0 ? 1.0f : 0.0f;
                      gemm(true, false, k, n, m, 1.0f, a.ptr() + i * m * k, k, g.ptr() + i * m * n,
                           n, beta, gb.ptr() + i * b_step, n);
                    }
                  };
                  gradients_of_product(needs[0], input_grad, needs[1], weight_grad);
                  return std::vector<Tensor>{ga, gb};
                });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const Shape& sx = x.shape();
  const Shape& sw = weight.shape();
  check_shape(sw.size() == 2 && !sx.empty() && sx.back() == sw[1], "linear: input ", sx,
              " does not match weight ", sw, " (expected [..., ", sw.size() == 2 ? sw[1] : -1,
              "])");
  const std::int64_t in = sw[1];
  const std::int64_t out_features = sw[0];
  check_shape(!bias.defined() || bias.shape() == Shape{out_features}, "linear: bias ",
              bias.defined() ? bias.shape() : Shape{}, " does not match weight ", sw);
  const std::int64_t rows = numel(Shape(sx.begin(), sx.end() - 1));
  Shape out_shape = sx;
  out_shape.back() = out_features;
  Tensor out = bias.defined() || in > 0 ? Tensor::empty(out_shape) : Tensor::zeros(out_shape);
  float* po = out.ptr();
  float beta = 0.0f;
  if (bias.defined()) {
    const float* pb = bias.ptr();
    parallel_for(
        rows,
        [&](std::int64_t r0, std::int64_t r1) {
          for (std::int64_t r = r0; r < r1; ++r) {
            std::memcpy(po + r * out_features, pb,
                        static_cast<std::size_t>(out_features) * sizeof(float));
          }
        },
        std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(out_features, 1)));
    beta = 1.0f;
  }
  if (in > 0) {
    gemm(false, true, rows, out_features, in, 1.0f, x.ptr(), in, weight.ptr(), in, beta, po,
         out_features);
  }
  // dy/dx = G W, dy/dW = Gᵀ X, dy/db = column sums of G
  return record("linear", out, {x, weight, bias},
                [x = x.detach(), w = weight.detach(), rows, in, out_features](
                    const Tensor& g, const NeedsGrad& needs) {
                  Tensor gx = needs[0] ? Tensor::empty(x.shape()) : Tensor();
                  Tensor gw = needs[1] ? Tensor::empty(w.shape()) : Tensor();
                  Tensor gb;
                  const auto input_grad = [&] {
                    gemm(false, false, rows, in, out_features, 1.0f, g.ptr(), out_features, w.ptr(),
                         in, 0.0f, gx.ptr(), in);
                  };
                  const auto weight_grads = [&] {
                    if (needs[1]) {
                      gemm(true, false, out_features, in, rows, 1.0f, g.ptr(), out_features,
                           x.ptr(), in, 0.0f, gw.ptr(), in);
                    }
                    if (needs[2]) gb = column_sums(g, rows, out_features);
                  };
                  gradients_of_product(needs[0], input_grad, needs[1] || needs[2], weight_grads);
                  return std::vector<Tensor>{gx, gw, gb};
                });
}

}  // namespace dither
