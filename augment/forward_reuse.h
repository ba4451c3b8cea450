#pragma once

#include "augment/passes.h"
#include "layers/module.h"

namespace dither {

/// True when an extra pass of `model` in `mode` (ExtraPasses::forward) computes bitwise what the
/// step's training forward computed on the same inputs, so that the training forward's graph
/// can give an attack its input gradient in place of a pass of its own. That holds when every
/// module is a layer that draws no noise and reads no mode (linear, convolutions, activations,
/// pooling, flatten, layer_norm, embedding, lstm, mean_over_time, the containers), or BatchNorm
/// when `mode` is train (batch statistics in both forwards); no weight layer carries a weight
/// perturbation and no Sequential a hidden transform (Manifold Mixup mixes in the training
/// forward only). Every other layer, one added later included, answers false: the separate pass
/// stays.
bool training_forward_serves(const Module& model, PassMode mode);

}  // namespace dither
