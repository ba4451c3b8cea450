#pragma once

#include <cstdint>
#include <filesystem>

#include "train/data/dataset.h"

namespace dither {

/// The out-of-distribution set an OOD spec file describes, checked against `reference` (the
/// model's test set). The spec is a config's "data" section, whose test split is the OOD set
/// (`{"name": "fashion-mnist", "limit_test": 1000}`), or a synthetic set of the reference's
/// shape: `{"name": "noise", "distribution": "uniform" | "gaussian", "size": 1000, "shape": [..]
/// (optional; must be the reference's, checked before anything is allocated),
/// "low", "high" (uniform; default the data's value range), "mean", "std" (gaussian; default
/// its middle and a quarter of its width), "seed"}`, clipped to the value range when it is
/// bounded. Samples are drawn from (seed, "ood.noise"). Errors are ConfigErrors naming the
/// file and JSON path; a sample shape or input kind other than the reference's names both.
Dataset load_ood_set(const std::filesystem::path& file, const DatasetInfo& reference,
                     std::uint64_t seed);

}  // namespace dither
