#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/error.h"
#include "train/data/dataset.h"

namespace dither::testing {

/// A fresh folder under the system temp directory, removed with everything in it at scope end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dither-data-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// The path of `name` inside the folder.
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream out(file(name), std::ios::binary);
    out << text;
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

/// The message of the ConfigError `fn` throws; "" and a test failure when it throws none.
template <class Fn>
std::string config_error(const Fn& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

/// n points [2] whose first coordinate is the sample index, so a batch shows which samples it
/// holds; the label is i % 2.
inline Dataset numbered_points(std::int64_t n) {
  Dataset ds;
  ds.name = "numbered";
  ds.kind = InputKind::points;
  ds.sample_shape = {2};
  ds.num_classes = 2;
  ds.class_names = {"even", "odd"};
  for (std::int64_t i = 0; i < n; ++i) {
    ds.values.insert(ds.values.end(), {static_cast<float>(i), -1.0f});
    ds.labels.push_back(static_cast<std::int32_t>(i % 2));
  }
  return ds;
}

}  // namespace dither::testing
