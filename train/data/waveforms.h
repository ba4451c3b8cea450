#pragma once

#include <cstdint>

#include "train/data/dataset.h"

namespace dither {

class RandomStream;

/// Generated sequence classification: sine, square, sawtooth and chirp waves.
struct WaveformOptions {
  std::int64_t size = 2000;      ///< Samples; the classes take turns, so they are balanced.
  std::int64_t length = 64;      ///< T: every sample is padded with zeros to this many steps.
  std::int64_t min_length = 32;  ///< Each wave lasts a uniform number of steps in [min_length, T].
  double noise = 0.05;           ///< Std of the Gaussian noise added to every valid step.
};

/// A sequence Dataset of shape [T, 1] with lengths kept. Each wave draws a random phase in
/// [0, 2pi), a frequency in [1/32, 1/8] cycles per step (the chirp sweeps up to 2-4 times it,
/// at most 0.3), an amplitude in [0.5, 1.5] and its length; noise covers the valid steps only.
/// Sample i depends only on (stream, i).
Dataset make_waveforms(const WaveformOptions& options, const RandomStream& stream);

}  // namespace dither
