#include "train/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <sstream>

#include "core/error.h"

namespace dither {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
// Read in pieces: gzread takes an unsigned count.
constexpr std::int64_t kChunk = std::int64_t{1} << 24;
// Reserved up front for real datasets; a larger claim grows with the data actually read.
constexpr std::int64_t kReserveLimit = std::int64_t{1} << 28;
// Deflate's best case is 258 bytes from 2 bits, so a gzip file of n bytes holds at most 1032 n.
constexpr std::int64_t kMaxDeflateRatio = 1032;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Bytes read until `count` or the end of the file, whichever comes first.
std::int64_t read_some(gzFile file, std::uint8_t* out, std::int64_t count,
                       const std::string& path) {
  std::int64_t got = 0;
  while (got < count) {
    const auto want = static_cast<unsigned>(std::min(count - got, kChunk));
    const int n = gzread(file, out + got, want);
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      // A cut-off gzip stream ends like a short plain file: the caller reports "truncated".
      if (code == Z_BUF_ERROR) break;
      throw ConfigError(path + ": cannot decompress: " + message);
    }
    if (n == 0) break;
    got += n;
  }
  return got;
}

std::string hex(const std::array<std::uint8_t, 4>& bytes) {
  std::ostringstream out;
  out << "0x" << std::hex << std::setfill('0');
  for (std::uint8_t b : bytes) out << std::setw(2) << int{b};
  return out.str();
}

std::string data_noun(int rank) { return rank == 1 ? "labels" : rank == 3 ? "pixels" : "data"; }

// Refuses a header whose `total` bytes of data the file cannot hold (or, plain, holds more than),
// from the file's size alone: nothing is allocated for a header that lies.
void check_claim(const std::string& path, gzFile file, int rank, std::int64_t total) {
  const auto stored = static_cast<std::int64_t>(std::filesystem::file_size(path));
  const std::int64_t after_header = stored - 4 - 4 * std::int64_t{rank};
  if (gzdirect(file)) {
    if (after_header < total) {
      throw ConfigError(path + ": truncated: expected " + std::to_string(total) + " bytes of " +
                        data_noun(rank) + ", got " + std::to_string(after_header));
    }
    if (after_header > total) {
      throw ConfigError(path + ": more data than the header's " + std::to_string(total) +
                        " bytes of " + data_noun(rank));
    }
  } else if (total > kMaxDeflateRatio * stored) {
    throw ConfigError(path + ": truncated: expected " + std::to_string(total) + " bytes of " +
                      data_noun(rank) + ", more than a gzip file of " + std::to_string(stored) +
                      " bytes can hold");
  }
}

// `base` or `base.gz`, whichever exists; throws naming both and the package that provides them.
std::string find_file(const std::string& dir, const std::string& base, const std::string& hint) {
  for (const std::string& candidate : {base + ".gz", base}) {
    const std::string path = (std::filesystem::path(dir) / candidate).string();
    if (std::filesystem::exists(path)) return path;
  }
  throw ConfigError((std::filesystem::path(dir) / (base + ".gz")).string() +
                    ": no such file (nor without .gz)" + hint);
}

// The MNIST file pair of `split`, a ten-class dataset whatever labels this split happens to hold.
Dataset load_pair(const std::string& dir, Split split, const std::string& hint, std::string name,
                  std::vector<std::string> class_names) {
  const std::string prefix = split == Split::train ? "train-" : "t10k-";
  const std::string images_path = find_file(dir, prefix + "images-idx3-ubyte", hint);
  const std::string labels_path = find_file(dir, prefix + "labels-idx1-ubyte", hint);
  Dataset ds = load_idx_dataset(images_path, labels_path);
  if (ds.num_classes > 10) {
    throw ConfigError(labels_path + ": labels must be in 0..9, found " +
                      std::to_string(ds.num_classes - 1));
  }
  ds.name = std::move(name);
  ds.num_classes = 10;
  ds.class_names = std::move(class_names);
  return ds;
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_rank) {
  if (!std::filesystem::is_regular_file(path)) throw ConfigError(path + ": no such file");
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw ConfigError(path + ": cannot open");

  std::array<std::uint8_t, 4> magic{};
  if (read_some(file.get(), magic.data(), 4, path) != 4) {
    throw ConfigError(path + ": truncated: no IDX header");
  }
  const std::array<std::uint8_t, 4> expected{0, 0, kUnsignedByte,
                                             static_cast<std::uint8_t>(expected_rank)};
  if (magic != expected) {
    throw ConfigError(path + ": bad magic number " + hex(magic) + ", expected " + hex(expected) +
                      " (IDX " + data_noun(expected_rank) + " of unsigned bytes, rank " +
                      std::to_string(expected_rank) + ")");
  }

  IdxArray array;
  std::int64_t total = 1;
  for (int d = 0; d < expected_rank; ++d) {
    std::uint8_t b[4] = {};
    if (read_some(file.get(), b, 4, path) != 4) {
      throw ConfigError(path + ": truncated: header ends before dimension " + std::to_string(d));
    }
    const std::int64_t size = (std::int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    array.dims.push_back(size);
    // Dimensions are < 2^32 each; past 2^40 bytes the header is nonsense, not a real file.
    if (size > 0 && total > (std::int64_t{1} << 40) / size) {
      throw ConfigError(path + ": header claims an absurd size");
    }
    total *= size;
  }
  check_claim(path, file.get(), expected_rank, total);

  array.data.reserve(static_cast<std::size_t>(std::min(total, kReserveLimit)));
  while (static_cast<std::int64_t>(array.data.size()) < total) {
    const std::int64_t have = static_cast<std::int64_t>(array.data.size());
    const std::int64_t want = std::min(total - have, kChunk);
    array.data.resize(static_cast<std::size_t>(have + want));
    const std::int64_t got = read_some(file.get(), array.data.data() + have, want, path);
    if (got < want) {
      throw ConfigError(path + ": truncated: expected " + std::to_string(total) + " bytes of " +
                        data_noun(expected_rank) + ", got " + std::to_string(have + got));
    }
  }
  std::uint8_t extra = 0;
  if (read_some(file.get(), &extra, 1, path) != 0) {
    throw ConfigError(path + ": more data than the header's " + std::to_string(total) +
                      " bytes of " + data_noun(expected_rank));
  }
  return array;
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  std::int64_t total = 1;
  for (std::int64_t d : array.dims) total *= d;
  check(total == static_cast<std::int64_t>(array.data.size()), "write_idx: ", path, ": dims give ",
        total, " bytes, data has ", array.data.size());
  // "T" writes a plain file through the same gz interface.
  GzFile file(gzopen(path.c_str(), gzip ? "wb" : "wbT"));
  if (!file) throw ConfigError(path + ": cannot open for writing");
  std::vector<std::uint8_t> header{0, 0, kUnsignedByte,
                                   static_cast<std::uint8_t>(array.dims.size())};
  for (std::int64_t d : array.dims) {
    for (int shift = 24; shift >= 0; shift -= 8)
      header.push_back(static_cast<std::uint8_t>(d >> shift));
  }
  auto write = [&](const std::uint8_t* p, std::int64_t n) {
    for (std::int64_t done = 0; done < n;) {
      const auto piece = static_cast<unsigned>(std::min(n - done, kChunk));
      if (gzwrite(file.get(), p + done, piece) != static_cast<int>(piece)) {
        throw ConfigError(path + ": write failed");
      }
      done += piece;
    }
  };
  write(header.data(), static_cast<std::int64_t>(header.size()));
  write(array.data.data(), total);
  if (gzclose(file.release()) != Z_OK) throw ConfigError(path + ": write failed");
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path, 3);
  if (images.dims[1] == 0 || images.dims[2] == 0) {
    throw ConfigError(images_path + ": images of " + std::to_string(images.dims[1]) + " x " +
                      std::to_string(images.dims[2]) + " pixels (a side of 0)");
  }
  const IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0]) {
    throw ConfigError(images_path + " holds " + std::to_string(images.dims[0]) + " images but " +
                      labels_path + " holds " + std::to_string(labels.dims[0]) + " labels");
  }
  Dataset ds;
  ds.name = std::filesystem::path(images_path).filename().string();
  ds.kind = InputKind::image;
  ds.sample_shape = {1, images.dims[1], images.dims[2]};
  ds.value_range = {0.0f, 1.0f};
  ds.pixels = std::move(images.data);
  ds.labels.assign(labels.data.begin(), labels.data.end());
  const auto top = std::max_element(labels.data.begin(), labels.data.end());
  ds.num_classes = top == labels.data.end() ? 0 : *top + 1;
  for (std::int64_t c = 0; c < ds.num_classes; ++c) ds.class_names.push_back(std::to_string(c));
  ds.validate();
  return ds;
}

Dataset load_mnist(const std::string& dir, Split split) {
  return load_pair(dir, split, "", "mnist", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
}

Dataset load_fashion_mnist(const std::string& dir, Split split) {
  return load_pair(dir, split, "; install the package dataset-fashion-mnist", "fashion-mnist",
                   {"t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
                    "sneaker", "bag", "ankle boot"});
}

}  // namespace dither
