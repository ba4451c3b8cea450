#pragma once

#include <cstdint>
#include <functional>
#include <vector>

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
  /// Applied to every batch before the model sees it (an attack). It may run side-effect-free
  /// passes, input gradients included, through `passes`.
  std::function<void(Batch& batch, ExtraPasses& passes, std::int64_t batch_index)> transform;
  /// Applied to every batch before the model sees it, reading nothing but the batch (a
  /// corruption): unlike `transform`, batches may then still run in parallel. Not with
  /// `transform`.
  std::function<void(Batch& batch)> corrupt;
};

/// Per batch, in order: a model's eval-mode logits and the batch's targets.
struct BatchOutputs {
  std::vector<Tensor> logits;
  std::vector<Tensor> targets;
};

/// The eval-mode logits of every batch of `data` (unshuffled, `batch_size` each), each batch
/// first passed through `corrupt` when set, with the same restorations as evaluate(). With more
/// than one thread, whole batches run on each thread (SerialScope), which on two cores beats
/// splitting every batch's products across both (docs/speed.md); not for sequences with lengths
/// or a model drawing noise in eval mode (Module::draws_noise_in_eval), which set state on the
/// shared model for every batch. Either way the results are those of the serial loop.
BatchOutputs eval_outputs(Module& model, const Dataset& data, std::int64_t batch_size,
                          std::uint64_t seed, const std::function<void(Batch&)>& corrupt = {});

/// Accuracy, loss (NLL of the true class) and calibration of `model` on `data`, without
/// recording gradients (except inside the transform's input gradients) and without side effects:
/// the model's modes and noise clock are restored afterwards, and evaluation passes draw from
/// their own pass indices, so evaluating in the middle of training changes nothing it does next.
Evaluation evaluate(Module& model, const Dataset& data, const EvalOptions& options = {});

}  // namespace dither
