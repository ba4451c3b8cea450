#pragma once

#include "augment/attack.h"
#include "core/random.h"
#include "core/tensor.h"

namespace dither {

/// The pure arithmetic of a gradient attack on a batch [B, ...]. Each result lies in the eps ball
/// around `x` (l-inf: every value; l2: every sample's change) and in [low, high]; the ball comes
/// first and the range second, which keeps it in the ball because x itself is in range.

/// adv + alpha * sign(grad), projected: the l-inf PGD step (FGSM when adv is x and alpha eps).
Tensor linf_step(const Tensor& adv, const Tensor& grad, const Tensor& x, float alpha, float eps,
                 float low, float high);
/// adv + alpha * grad / ||grad|| per sample (a zero gradient moves nothing), projected.
Tensor l2_step(const Tensor& adv, const Tensor& grad, const Tensor& x, float alpha, float eps,
               float low, float high);
/// A random start: x + U(-eps, eps) per value (l-inf), or x plus a uniformly random direction of
/// length eps * U(0, 1) per sample (l2, as torchattacks' PGDL2), clipped to the range.
Tensor random_start(const Tensor& x, AttackNorm norm, float eps, const RandomStream& stream,
                    float low, float high);

}  // namespace dither
