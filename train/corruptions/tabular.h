#pragma once

#include <vector>

#include "augment/feature_mask.h"
#include "core/random.h"
#include "train/corruptions/corruption.h"

namespace dither {

/// What the tabular corruptions scale by and fill with, taken once from the training rows.
struct FeatureStats {
  std::vector<float> mean;  ///< per feature, over the training rows
  std::vector<float> std;   ///< per feature (population std; 1 where a feature is constant)
  FeatureFill fill;         ///< what missing_features puts in (augment/feature_mask.h)

  /// From training rows [n >= 1, F]; `fill` as the feature_mask hook would fill.
  static FeatureStats from_training(const Tensor& rows, MaskFill fill);
};

// Tabular corruptions of rows [B, F] (dither's tables: there is no published tabular suite).
// Strengths are in units of each feature's training std, so they mean the same on any column.
// Severity 0 returns a copy. Element i = b F + f depends only on (stream, i); per-feature
// choices (a sign) on (stream, f) alone, so every row of a set shifts the same way.

/// x + c std_f N(0, 1), c = 0.1, 0.2, 0.3, 0.5, 0.8: measurement noise.
Tensor feature_noise(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats);

/// Each element independently missing with probability c = 0.05, 0.1, 0.2, 0.3, 0.5 and filled
/// as the feature_mask hook fills (mask_features): by default the training mean, as the data
/// loaders impute missing values; the set of missing cells only grows with severity.
Tensor missing_features(const Tensor& rows, int severity, const RandomStream& stream,
                        const FeatureStats& stats);

/// x + s_f c std_f with a sign s_f = +-1 per feature, c = 0.1, 0.2, 0.3, 0.5, 0.8: a covariate
/// shift of the whole set (a recalibrated sensor, inflation).
Tensor feature_shift(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats);

/// mean_f + (x - mean_f) k^(s_f) with s_f = +-1 per feature, k = 1.1, 1.25, 1.5, 2, 3: a
/// feature spread wider or narrower about its training mean (a change of units or of scale).
Tensor feature_scale(const Tensor& rows, int severity, const RandomStream& stream,
                     const FeatureStats& stats);

}  // namespace dither
