#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "train/data/idx.h"
#include "train/experiment.h"

namespace dither::fuzz {

/// A folder of this process under /dev/shm holding a tiny MNIST set (6 train and 6 test images
/// of 28 x 28 random-looking pixels, classes 0 to 2, plain IDX with MNIST's file names); its path.
inline std::string image_folder() {
  const std::string dir = scratch_file("mnist", "") + "-dir";
  std::filesystem::create_directories(dir);
  for (const std::string split : {"train", "t10k"}) {
    IdxArray images{{6, 28, 28}, {}};
    for (int i = 0; i < 6 * 28 * 28; ++i) images.data.push_back(static_cast<std::uint8_t>(i * 37));
    write_idx(dir + "/" + split + "-images-idx3-ubyte", images, false);
    write_idx(dir + "/" + split + "-labels-idx1-ubyte", {{6}, {0, 1, 2, 0, 1, 2}}, false);
  }
  return dir;
}

/// Three small untrained MLPs, one per kind of input a suite or spec can meet: moons points
/// (2 features), the image_folder() images (28 x 28 pixels) and loans rows (tabular); 20 or 6
/// training samples and 6 test samples each.
inline std::vector<Experiment> tiny_experiments() {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 3, "train": {"epochs": 1, "batch_size": 4},
    "model": {"layers": [{"type": "flatten"}, {"type": "linear", "out": 8}, {"type": "relu"},
                         {"type": "linear", "out": 2}]}})");
  const nlohmann::json data = {{{"name", "moons"}, {"train_size", 20}, {"test_size", 6}},
                               {{"name", "mnist"}, {"path", image_folder()}},
                               {{"name", "loans"}, {"train_size", 20}, {"test_size", 6}}};
  std::vector<Experiment> built;
  for (const nlohmann::json& d : data) {
    config["data"] = d;
    config["model"]["layers"][3]["out"] = d["name"] == "mnist" ? 10 : 2;
    built.push_back(build_experiment(config));
  }
  return built;
}

}  // namespace dither::fuzz
