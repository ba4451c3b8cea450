#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

/// How a BatchLoader cuts an epoch into batches.
struct LoaderOptions {
  std::int64_t batch_size = 128;
  bool shuffle = true;     ///< A new order each epoch; off keeps dataset order (evaluation).
  bool drop_last = false;  ///< Skip the last batch when it is smaller than batch_size.
};

/// Mini-batches over a Dataset, addressed by (epoch, index) rather than by a cursor, so any
/// point of any epoch can be replayed or resumed. Epoch e's order is the permutation drawn from
/// RandomStream(seed, "shuffle", {e}). The dataset must outlive the loader.
class BatchLoader {
 public:
  BatchLoader(const Dataset& dataset, LoaderOptions options, std::uint64_t seed);

  std::int64_t num_batches() const;  ///< Per epoch; the last batch may be smaller.
  std::int64_t batch_size() const { return options_.batch_size; }
  const Dataset& dataset() const { return *dataset_; }

  /// Sample indices of batch `index` of `epoch`; valid until the next call with another epoch.
  std::span<const std::int64_t> indices(std::int64_t epoch, std::int64_t index);
  /// Batch `index` of `epoch`: inputs [B, ...sample_shape], targets [B].
  Batch batch(std::int64_t epoch, std::int64_t index);

 private:
  const Dataset* dataset_;
  LoaderOptions options_;
  std::uint64_t seed_;
  std::int64_t order_epoch_ = -1;  // the epoch whose permutation order_ holds
  std::vector<std::int64_t> order_;
};

}  // namespace dither
