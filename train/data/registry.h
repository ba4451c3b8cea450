#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

/// The three sets a run uses, and the spec that made them.
struct DataSplits {
  Dataset train;
  Dataset validation;
  Dataset test;
  nlohmann::json resolved;  ///< The "data" spec with every default filled in.
};

/// Every "name" load_data accepts.
const std::vector<std::string>& dataset_names();

/// Builds the datasets a "data" spec names, reading it strictly (unknown keys, wrong types and
/// out-of-range values are ConfigErrors naming `path`). Common keys: "name", "validation_split"
/// (0.1; of the training set, after limit_train), "limit_train" and "limit_test" (0 = all;
/// otherwise a seeded random subset of that many), "classes" (absent = all; else the class ids
/// kept in every split, after the limits, relabelled 0.. in list order). Per dataset:
///   fashion-mnist, mnist: "path" (the folder of the four IDX files; Fashion-MNIST defaults to
///     the dataset-fashion-mnist package's folder)
///   csv: "path", "label" ("label"), "test_path" ("" = hold out "test_split", 0.2, of the file),
///     "missing" ("error" | "mean"), "standardize" (true), "ignore" ([] column names)
///   loans: the generated loan-approval CSV: "train_size", "test_size", "missing", "standardize"
///   words: "path" ("/usr/share/dict"), "languages", "per_language", "min_length", "max_length",
///     "test_split"
///   waveforms: "train_size", "test_size", "length", "min_length", "noise"
///   moons: "train_size", "test_size", "noise"; circles: + "factor"; spirals: + "arms";
///   blobs: + "centres", "std", "box"
/// Generated sets draw the test set from another stream than the training set. Tabular
/// encodings (categories, imputed means, standardisation) are fitted on the training set only.
DataSplits load_data(const nlohmann::json& spec, std::uint64_t seed,
                     const std::string& path = "data");

}  // namespace dither
