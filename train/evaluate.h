#pragma once

#include <cstdint>
#include <functional>

#include "augment/passes.h"
#include "core/batch.h"
#include "layers/module.h"
#include "train/data/dataset.h"
#include "train/metrics.h"

namespace dither {

/// How evaluate() looks at a set: the one function behind dither eval, validation, robustness
/// suites, sweeps and comparisons.
struct EvalOptions {
  std::int64_t batch_size = 256;
  /// 0: one deterministic pass in eval mode. T > 0: Monte Carlo sampling, the mean of T passes'
  /// probabilities with only the noise layers stochastic (BatchNorm stays in eval).
  std::int64_t mc_samples = 0;
  /// Names the streams of MC samples and of the transform's passes.
  std::uint64_t seed = 0;
  /// Applied to every batch before the model sees it (a corruption, an attack). It may run
  /// side-effect-free passes, input gradients included, through `passes`.
  std::function<void(Batch& batch, ExtraPasses& passes, std::int64_t batch_index)> transform;
};

/// Accuracy, loss (NLL of the true class) and calibration of `model` on `data`, without
/// recording gradients (except inside the transform's input gradients) and without side effects:
/// the model's modes and noise clock are restored afterwards, and evaluation passes draw from
/// their own pass indices, so evaluating in the middle of training changes nothing it does next.
Evaluation evaluate(Module& model, const Dataset& data, const EvalOptions& options = {});

}  // namespace dither
