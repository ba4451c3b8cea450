#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <new>
#include <string>

#include "core/error.h"
#include "data/fixtures.h"
#include "train/data/idx.h"

namespace dither {
namespace {

using dither::testing::config_error;
using dither::testing::TempDir;

IdxArray images(std::int64_t n, std::int64_t h, std::int64_t w) {
  IdxArray a{{n, h, w}, {}};
  for (std::int64_t i = 0; i < n * h * w; ++i)
    a.data.push_back(static_cast<std::uint8_t>(i * 37 % 256));
  return a;
}

IdxArray labels(std::int64_t n, int classes) {
  IdxArray a{{n}, {}};
  for (std::int64_t i = 0; i < n; ++i) a.data.push_back(static_cast<std::uint8_t>(i % classes));
  return a;
}

// Copies the first `bytes` bytes of a file.
void truncate_copy(const std::string& from, const std::string& to, std::size_t bytes) {
  std::ifstream in(from, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(to, std::ios::binary) << data.substr(0, bytes);
}

// `bytes` gzip-compressed into `path`.
void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// The exit status of `fn` run in a child process whose address space may grow by at most
// `headroom` bytes: 0 when it returns or throws a ConfigError, 3 when an allocation fails.
int status_with_memory_limit(const std::function<void()>& fn, std::int64_t headroom) {
  const pid_t child = ::fork();
  if (child == 0) {
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const auto used = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
    const rlimit limit{used + static_cast<rlim_t>(headroom), used + static_cast<rlim_t>(headroom)};
    ::setrlimit(RLIMIT_AS, &limit);
    try {
      fn();
    } catch (const ConfigError&) {
    } catch (const std::bad_alloc&) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class IdxRoundTripTest : public ::testing::TestWithParam<bool> {};

TEST_P(IdxRoundTripTest, WriteThenReadGivesBackDimsAndBytes) {
  TempDir dir;
  const IdxArray a = images(3, 4, 5);
  const std::string path = dir.file(GetParam() ? "x.idx3.gz" : "x.idx3");
  write_idx(path, a, GetParam());
  const IdxArray b = read_idx(path, 3);
  EXPECT_EQ(b.dims, a.dims);
  EXPECT_EQ(b.data, a.data);
}

INSTANTIATE_TEST_SUITE_P(GzipAndPlain, IdxRoundTripTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "gzip" : "plain"; });

TEST(IdxTest, PlainFileIsReallyUncompressed) {
  TempDir dir;
  write_idx(dir.file("plain"), labels(10, 3), false);
  EXPECT_EQ(std::filesystem::file_size(dir.file("plain")), 8u + 10u);
}

TEST(IdxTest, TruncatedPixelsNameTheFileAndBothCounts) {
  TempDir dir;
  for (bool gzip : {false, true}) {
    const std::string full = dir.file(gzip ? "full.gz" : "full");
    write_idx(full, images(10, 28, 28), gzip);
    const std::string cut =
        dir.file(gzip ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
    const std::size_t keep = gzip ? std::filesystem::file_size(full) / 2 : 16 + 1000;
    truncate_copy(full, cut, keep);
    const std::string message = config_error([&] { read_idx(cut, 3); });
    EXPECT_NE(message.find(cut + ": truncated: expected 7840 bytes of pixels, got "),
              std::string::npos)
        << message;
    if (!gzip) {
      EXPECT_NE(message.find("got 1000"), std::string::npos) << message;
    }
  }
}

TEST(IdxTest, HeaderClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating) {
  TempDir dir;
  // 1000000 x 1000 x 1000 images (10^12 bytes) claimed, 10 bytes held.
  const std::string lie = std::string("\x00\x00\x08\x03\x00\x0f\x42\x40", 8) +
                          std::string("\x00\x00\x03\xe8\x00\x00\x03\xe8", 8) + std::string(10, 'x');
  const std::string plain = dir.write("train-images-idx3-ubyte", lie);
  const std::string gzip = dir.file("train-images-idx3-ubyte.gz");
  write_gzip(gzip, lie);
  const std::string expected = ": truncated: expected 1000000000000 bytes of pixels, ";
  EXPECT_NE(config_error([&] { read_idx(plain, 3); }).find(plain + expected + "got 10"),
            std::string::npos);
  const std::string message = config_error([&] { read_idx(gzip, 3); });
  EXPECT_NE(message.find(gzip + expected + "more than a gzip file of " +
                         std::to_string(std::filesystem::file_size(gzip)) + " bytes can hold"),
            std::string::npos)
      << message;
  // Refused from the file size: 64 MB of address space is plenty.
  for (const std::string& path : {plain, gzip}) {
    EXPECT_EQ(status_with_memory_limit([&] { read_idx(path, 3); }, std::int64_t{64} << 20), 0)
        << path;
  }
}

TEST(IdxTest, BadMagicNamesTheFileAndBothNumbers) {
  TempDir dir;
  const std::string path = dir.write("labels", std::string("\x00\x00\x0d\x01\x00\x00\x00\x00", 8));
  const std::string message = config_error([&] { read_idx(path, 1); });
  EXPECT_NE(message.find(path + ": bad magic number 0x00000d01, expected 0x00000801"),
            std::string::npos)
      << message;
}

TEST(IdxTest, WrongRankIsABadMagicNumber) {
  TempDir dir;
  write_idx(dir.file("labels"), labels(4, 2), false);
  EXPECT_NE(config_error([&] { read_idx(dir.file("labels"), 3); }).find("bad magic"),
            std::string::npos);
}

TEST(IdxTest, ExtraBytesAfterTheDataAreAnError) {
  TempDir dir;
  write_idx(dir.file("labels"), labels(4, 2), false);
  std::ofstream(dir.file("labels"), std::ios::binary | std::ios::app) << "xx";
  EXPECT_NE(config_error([&] { read_idx(dir.file("labels"), 1); }).find("more data"),
            std::string::npos);
}

TEST(IdxTest, MissingFileIsAConfigErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("nothing.gz");
  EXPECT_NE(config_error([&] { read_idx(path, 1); }).find(path), std::string::npos);
}

TEST(IdxTest, DatasetPairsImagesWithLabels) {
  TempDir dir;
  write_idx(dir.file("img.gz"), images(6, 3, 2), true);
  write_idx(dir.file("lab.gz"), labels(6, 4), true);
  const Dataset ds = load_idx_dataset(dir.file("img.gz"), dir.file("lab.gz"));
  EXPECT_EQ(ds.kind, InputKind::image);
  EXPECT_EQ(ds.size(), 6);
  EXPECT_EQ(ds.sample_shape, (Shape{1, 3, 2}));
  EXPECT_EQ(ds.num_classes, 4);
  EXPECT_EQ(ds.labels[5], 1);
  EXPECT_EQ(ds.pixels, images(6, 3, 2).data);
  EXPECT_FLOAT_EQ(ds.value_range.low, 0.0f);
  EXPECT_FLOAT_EQ(ds.value_range.high, 1.0f);
}

TEST(IdxTest, ImagesWithASideOfZeroAreAConfigErrorNamingTheFile) {
  TempDir dir;
  write_idx(dir.file("img"), images(2, 0, 0), false);
  write_idx(dir.file("lab"), labels(2, 2), false);
  const std::string message =
      config_error([&] { load_idx_dataset(dir.file("img"), dir.file("lab")); });
  EXPECT_NE(message.find(dir.file("img") + ": images of 0 x 0 pixels"), std::string::npos)
      << message;
}

TEST(IdxTest, CountMismatchNamesBothFiles) {
  TempDir dir;
  write_idx(dir.file("img"), images(6, 2, 2), false);
  write_idx(dir.file("lab"), labels(5, 2), false);
  const std::string message =
      config_error([&] { load_idx_dataset(dir.file("img"), dir.file("lab")); });
  EXPECT_NE(message.find(dir.file("img") + " holds 6 images"), std::string::npos) << message;
  EXPECT_NE(message.find(dir.file("lab") + " holds 5 labels"), std::string::npos) << message;
}

TEST(IdxTest, FashionMnistFolderReadsGzipOrPlainNamesAndHasTenClasses) {
  TempDir dir;
  write_idx(dir.file("t10k-images-idx3-ubyte.gz"), images(4, 28, 28), true);
  write_idx(dir.file("t10k-labels-idx1-ubyte"), labels(4, 3), false);
  const Dataset ds = load_fashion_mnist(dir.path().string(), Split::test);
  EXPECT_EQ(ds.name, "fashion-mnist");
  EXPECT_EQ(ds.num_classes, 10);
  ASSERT_EQ(ds.class_names.size(), 10u);
  EXPECT_EQ(ds.class_names[9], "ankle boot");
  EXPECT_EQ(ds.size(), 4);
}

TEST(IdxTest, MissingFashionMnistNamesTheFileAndThePackage) {
  TempDir dir;
  const std::string message =
      config_error([&] { load_fashion_mnist(dir.path().string(), Split::train); });
  EXPECT_NE(message.find("train-"), std::string::npos) << message;
  EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
}

TEST(IdxTest, MnistRejectsLabelsAboveNine) {
  TempDir dir;
  write_idx(dir.file("train-images-idx3-ubyte"), images(12, 2, 2), false);
  write_idx(dir.file("train-labels-idx1-ubyte"), labels(12, 12), false);
  EXPECT_NE(config_error([&] { load_mnist(dir.path().string(), Split::train); }).find("0..9"),
            std::string::npos);
}

TEST(IdxTest, RealFashionMnistTestSetHasTenThousandImagesOf28By28) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir + "/t10k-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const Dataset ds = load_fashion_mnist(dir, Split::test);
  EXPECT_EQ(ds.size(), 10000);
  EXPECT_EQ(ds.sample_shape, (Shape{1, 28, 28}));
  EXPECT_EQ(ds.pixels.size(), 10000u * 28u * 28u);
  std::vector<int> counts(10);
  for (std::int32_t y : ds.labels) {
    ASSERT_GE(y, 0);
    ASSERT_LE(y, 9);
    ++counts[static_cast<std::size_t>(y)];
  }
  for (int c : counts) EXPECT_EQ(c, 1000);  // the test set is balanced
}

}  // namespace
}  // namespace dither
