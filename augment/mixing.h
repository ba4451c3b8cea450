#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "augment/hook.h"
#include "core/json_reader.h"

namespace dither {

// What Mixup, CutMix and Manifold Mixup share: who is mixed with whom, by how much, and how the
// targets follow.

/// One mixing coefficient for the whole batch (mixup-cifar10, torchvision, timm's default
/// "batch") or one per sample (timm's "elem"; what torchvision issue 8191 asks for).
enum class MixMode { batch, sample };

std::string to_string(MixMode mode);
/// The value of `key` ("batch" or "sample"), "batch" when absent.
MixMode read_mix_mode(const JsonReader& reader, std::string_view key);

/// Who each sample of a batch is mixed with, and how much of itself it keeps.
struct MixPlan {
  std::vector<std::int64_t> partner;  ///< a permutation of 0..B-1; partner[i] == i is allowed
  std::vector<float> lam;             ///< [B] the weight of sample i itself, in [0, 1]
};

/// partner: a uniform random permutation from stream.child(0), as mixup-cifar10's randperm;
/// lam ~ Beta(alpha, alpha) from stream.child(1): draw 0 for every sample (batch mode) or draw i
/// for sample i. alpha 0 gives lam = 1 (no mixing), as in mixup-cifar10. Any B >= 0 works: an
/// odd batch needs no pairing, and a batch of one is mixed with itself.
MixPlan draw_mix_plan(const RandomStream& stream, std::int64_t batch, double alpha, MixMode mode);

/// x_i + (1 - lam_i) (x_partner(i) - x_i) = lam_i x_i + (1 - lam_i) x_partner(i) along axis 0 of
/// x [B, ...], from differentiable ops (index_select, sub, mul, add): gradients reach x through
/// both terms, which Manifold Mixup needs. A sample mixed with itself comes back bit for bit.
Tensor mix_rows(const Tensor& x, const MixPlan& plan);

/// The targets as soft rows (class ids become one-hot; soft rows stay rows), mixed by the plan:
/// lam y_i + (1 - lam) y_partner(i), so a mix after another mix (or CutMix) composes.
Tensor mix_targets(const Tensor& targets, std::int64_t num_classes, const MixPlan& plan);

/// Throws ConfigError naming setup.path unless the data has classes and the loss takes soft
/// targets (cross_entropy, gce, sce): what every mixing technique emits.
void require_soft_target_loss(const HookSetup& setup, const char* technique);

}  // namespace dither
