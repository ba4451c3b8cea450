#include "train/data/loader.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "core/random.h"

namespace dither {

BatchLoader::BatchLoader(const Dataset& dataset, LoaderOptions options, std::uint64_t seed)
    : dataset_(&dataset), options_(options), seed_(seed) {
  if (options_.batch_size < 1) {
    throw ConfigError(str("BatchLoader: batch_size must be >= 1, got ", options_.batch_size));
  }
  if (!options_.shuffle) {
    order_.resize(static_cast<std::size_t>(dataset.size()));
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
}

std::int64_t BatchLoader::num_batches() const {
  const std::int64_t n = dataset_->size();
  return options_.drop_last ? n / options_.batch_size
                            : (n + options_.batch_size - 1) / options_.batch_size;
}

std::span<const std::int64_t> BatchLoader::indices(std::int64_t epoch, std::int64_t index) {
  check(epoch >= 0, "BatchLoader: epoch must be >= 0, got ", epoch);
  check(index >= 0 && index < num_batches(), "BatchLoader: batch ", index, " is out of range [0, ",
        num_batches(), ") for dataset '", dataset_->name, "'");
  // One permutation per epoch, kept while the epoch's batches are read in any order.
  if (options_.shuffle && epoch != order_epoch_) {
    order_ = RandomStream(seed_, "shuffle", {static_cast<std::uint64_t>(epoch)})
                 .permutation(dataset_->size());
    order_epoch_ = epoch;
  }
  const std::int64_t begin = index * options_.batch_size;
  const std::int64_t end = std::min(begin + options_.batch_size, dataset_->size());
  return std::span<const std::int64_t>(order_).subspan(static_cast<std::size_t>(begin),
                                                       static_cast<std::size_t>(end - begin));
}

Batch BatchLoader::batch(std::int64_t epoch, std::int64_t index) {
  return make_batch(*dataset_, indices(epoch, index));
}

}  // namespace dither
