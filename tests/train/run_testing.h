#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "train/checkpoint.h"
#include "train/data/loader.h"
#include "train/experiment.h"
#include "train/progress.h"
#include "train/run.h"
#include "train/trainer.h"

namespace dither::testing {

inline constexpr const char* kFashionMnist = "/usr/share/datasets/fashion-mnist";

/// A fresh folder under the system temp directory, removed with everything in it on scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("dither-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The whole file as a string; empty when it cannot be read.
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  return nlohmann::json::parse(slurp(path));
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// A seconds-long teaching run: two moons, a small MLP with dropout, Gaussian input noise, SGD
/// with momentum and a step schedule. Tests adjust what they need.
inline nlohmann::json moons_config(std::int64_t epochs = 4) {
  nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 7,
    "data": {"name": "moons", "train_size": 400, "test_size": 200, "noise": 0.15},
    "model": {"layers": [
      {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "dropout", "p": 0.1},
      {"type": "linear", "out": 2}
    ]},
    "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9},
    "schedule": {"type": "step", "step_size": 2, "gamma": 0.5},
    "noise": [{"type": "gaussian", "sigma": 0.05}],
    "train": {"batch_size": 32}
  })");
  config["train"]["epochs"] = epochs;
  return config;
}

/// moons_config(epochs) with `layers`, the `noise` list, Adam at 0.01 and a constant rate: the
/// short real training the "learns" tests run each technique through.
inline nlohmann::json adam_moons(const nlohmann::json& layers, const nlohmann::json& noise,
                                 std::int64_t epochs = 12) {
  nlohmann::json config = moons_config(epochs);
  config["model"]["layers"] = layers;
  config["noise"] = noise;
  config["optimizer"] = {{"type", "adam"}, {"lr", 0.01}};
  config["schedule"] = {{"type", "constant"}};
  return config;
}

/// Whether two checkpoints hold the same tensor names, shapes and bit patterns.
inline ::testing::AssertionResult same_tensors(const Checkpoint& a, const Checkpoint& b) {
  if (a.tensors.size() != b.tensors.size()) {
    return ::testing::AssertionFailure() << a.tensors.size() << " tensors vs " << b.tensors.size();
  }
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    const auto& [name_a, ta] = a.tensors[i];
    const auto& [name_b, tb] = b.tensors[i];
    if (name_a != name_b || ta.shape() != tb.shape()) {
      return ::testing::AssertionFailure() << "tensor " << i << ": " << name_a << " vs " << name_b;
    }
    if (std::memcmp(ta.ptr(), tb.ptr(), static_cast<std::size_t>(ta.numel()) * sizeof(float))) {
      return ::testing::AssertionFailure() << name_a << " differs";
    }
  }
  return ::testing::AssertionSuccess();
}

/// Trains `e` for its configured epochs through a Trainer, in memory (no run folder);
/// `after_epoch` runs after each epoch.
inline void train_epochs(Experiment& e, const std::function<void(Experiment&)>& after_epoch = {}) {
  Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input,
                  e.settings, e.seed);
  BatchLoader loader(e.data.train, LoaderOptions{.batch_size = e.settings.batch_size}, e.seed);
  Progress progress(Progress::Style::quiet, e.settings.epochs, loader.num_batches());
  for (std::int64_t epoch = 0; epoch < e.settings.epochs; ++epoch) {
    trainer.train_epoch(loader, epoch, progress);
    if (after_epoch) after_epoch(e);
  }
}

/// run_training of `config` (written to dir/config.json) into dir/run, quietly.
inline TrainResult fit(const nlohmann::json& config, const TempDir& dir) {
  write_text(dir / "config.json", config.dump());
  TrainRequest request;
  request.config_path = (dir / "config.json").string();
  request.out_dir = dir / "run";
  request.quiet = true;
  return run_training(request);
}

}  // namespace dither::testing
