#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "layers/module.h"
#include "train/data/dataset.h"

namespace dither {

/// What Monte Carlo sampling predicts for each sample.
struct McPrediction {
  Tensor mean_probabilities;  ///< [N, K]: (1/T) sum_t softmax(model_t(x)), rows sum to 1
  Tensor entropy;             ///< [N]: predictive entropy H[E p] = -sum_k pbar_k log pbar_k (nats)
  /// [N]: mutual information (BALD) H[E p] - E H[p], >= 0; 0 when the T passes agree.
  Tensor mutual_information;
};

/// Monte Carlo dropout (Gal & Ghahramani 2016): T = `samples` forwards of inputs [N, ...] with
/// only the noise layers stochastic (MC sampling: BatchNorm in eval with its running statistics,
/// nothing updated) and no gradient recorded. Pass t draws from the clock (seed, step
/// `batch_index`, kEvalPass + t), so the result is a function of (seed, batch_index) and
/// evaluation's MC metrics (EvalOptions::mc_samples) see the same passes. Probabilities are
/// averaged, never logits; entropies are computed in double, with 0 log 0 = 0. The model's modes
/// and noise clock are restored. Throws Error unless samples >= 1 and the model gives [N, K].
McPrediction mc_predict(Module& model, const Tensor& inputs, std::int64_t samples,
                        std::uint64_t seed, std::int64_t batch_index = 0);

/// mc_predict over a whole set in order, batch b of `batch_size` samples at batch_index b (as
/// evaluate() batches it); the rows of every field follow the set's order.
McPrediction mc_predict(Module& model, const Dataset& data, std::int64_t samples,
                        std::uint64_t seed, std::int64_t batch_size = 256);

/// The noise layers of `model` and its children that MC sampling keeps stochastic, as
/// "path (type)" ("model.3 (dropout)"), in registration order: the modules whose type is one
/// the layer registry lists among its noise layers. Empty for a deterministic model.
std::vector<std::string> stochastic_layers(const Module& model);

}  // namespace dither
