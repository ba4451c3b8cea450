#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/data/dataset.h"

namespace dither {

/// An IDX array of unsigned bytes (the MNIST format): dims outermost first, data row-major.
struct IdxArray {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads an IDX file of unsigned bytes, gzip-compressed or plain. Throws ConfigError naming the
/// file when it is missing, has a bad magic number, a rank other than `expected_rank`, or is
/// truncated or too long; a header claiming more data than the file's size allows (plain, or
/// gzip at deflate's best ratio) is refused before anything is allocated for it.
IdxArray read_idx(const std::string& path, int expected_rank);

/// Writes `array` as IDX, gzip-compressed when `gzip` is set (the reader takes both).
void write_idx(const std::string& path, const IdxArray& array, bool gzip);

/// Images [n, H, W] and labels [n] from two IDX files: an image Dataset of shape [1, H, W] with
/// values in [0, 1], num_classes = largest label + 1 and the class ids as names.
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path);

/// Which file pair of an MNIST-style folder to read.
enum class Split { train, test };

/// MNIST from `dir` ({train,t10k}-{images-idx3,labels-idx1}-ubyte, with or without .gz).
Dataset load_mnist(const std::string& dir, Split split);

/// Fashion-MNIST from `dir` (the Debian package dataset-fashion-mnist installs it in
/// /usr/share/datasets/fashion-mnist), with its ten class names.
Dataset load_fashion_mnist(const std::string& dir, Split split);

}  // namespace dither
