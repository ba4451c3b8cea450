#pragma once

#include <cstdint>
#include <string>

#include "train/experiment.h"

namespace dither {

/// What training an experiment is expected to hold in memory, in bytes (float32 everywhere).
struct MemoryEstimate {
  std::int64_t data = 0;        ///< the train, validation and test sets' inputs and targets
  std::int64_t parameters = 0;  ///< weights, gradients and up to two optimiser slots (Adam's)
  /// One batch's activations: every layer's output, its gradient and what backward keeps
  /// (three floats per output element), at min(batch_size, training samples).
  std::int64_t activations = 0;
  std::int64_t total() const { return data + parameters + activations; }
  std::string describe() const;  ///< "4.2 GB (data ..., parameters ..., activations ...)"
};

MemoryEstimate estimate_memory(const Experiment& experiment);

/// The machine's physical memory in bytes (sysconf), or 0 when unknown.
std::int64_t physical_memory();

/// Throws ConfigError with the estimate when it exceeds `available` bytes (default: the
/// machine's physical memory; 0: no check): a run that cannot fit is refused before its first
/// batch allocates, instead of being killed by the kernel halfway through.
void check_memory(const Experiment& experiment, std::int64_t available = physical_memory());

}  // namespace dither
