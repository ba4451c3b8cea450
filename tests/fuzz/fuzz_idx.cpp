// The IDX reader (plain and gzip: the reader tells them apart by the gzip magic), at ranks 1
// and 3 (labels and images), and the image/label pairing of load_idx_dataset.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = dither::fuzz::scratch_file("idx", dither::fuzz::bytes(data, size));
  for (int rank : {1, 3}) {
    try {
      dither::read_idx(path, rank);
    } catch (const dither::ConfigError&) {
    }
  }
  try {
    dither::IdxArray labels;
    labels.dims = {2};
    labels.data = {0, 1};
    const std::string labels_path = dither::fuzz::scratch_file("labels", "");
    dither::write_idx(labels_path, labels, false);
    dither::load_idx_dataset(path, labels_path);
  } catch (const dither::ConfigError&) {
  }
  return 0;
}
