#pragma once

#include <cstdint>
#include <span>

#include "train/data/dataset.h"

namespace dither {

/// The samples of `dataset` whose class is one of `classes`, in dataset order, relabelled by
/// position in that list (classes[k] becomes class k, with its name): a model trained on some
/// classes, whose held-out classes then make an out-of-distribution set. Throws ConfigError
/// naming `path` when the list is empty, repeats a class or names one outside [0, num_classes).
Dataset keep_classes(const Dataset& dataset, std::span<const std::int64_t> classes,
                     const std::string& path);

}  // namespace dither
