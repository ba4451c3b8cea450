#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/random.h"
#include "train/atomic_file.h"
#include "train/checkpoint.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dither-ckpt-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Checkpoint sample() const {
    Checkpoint c;
    c.meta = {{"epoch", 3}, {"note", "hello"}};
    c.tensors.emplace_back("a", Tensor::randn({4, 5}, RandomStream(1, "ckpt")));
    c.tensors.emplace_back("b", Tensor::from({1.0f, -2.0f}, {2}));
    c.tensors.emplace_back("scalar", Tensor::scalar(7.0f));
    return c;
  }
  fs::path dir_;
};

TEST_F(CheckpointTest, SaveThenLoadIsBitIdentical) {
  const Checkpoint c = sample();
  save_checkpoint(dir_ / "x.ckpt", c);
  const Checkpoint back = load_checkpoint(dir_ / "x.ckpt");
  EXPECT_EQ(back.meta, c.meta);
  ASSERT_EQ(back.tensors.size(), c.tensors.size());
  for (std::size_t i = 0; i < c.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].first, c.tensors[i].first);
    EXPECT_EQ(back.tensors[i].second.shape(), c.tensors[i].second.shape());
    EXPECT_EQ(back.tensors[i].second.to_vector(), c.tensors[i].second.to_vector());
  }
}

TEST_F(CheckpointTest, LeavesNoTemporaryFileBehind) {
  save_checkpoint(dir_ / "x.ckpt", sample());
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(CheckpointTest, CorruptedByteFailsTheChecksumNamingTheFile) {
  save_checkpoint(dir_ / "x.ckpt", sample());
  std::string bytes = read_file(dir_ / "x.ckpt");
  bytes[bytes.size() - 10] ^= 0x5a;
  write_file_atomic(dir_ / "x.ckpt", bytes);
  try {
    load_checkpoint(dir_ / "x.ckpt");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x.ckpt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos);
  }
}

TEST_F(CheckpointTest, TruncatedFileIsAClearError) {
  save_checkpoint(dir_ / "x.ckpt", sample());
  const std::string bytes = read_file(dir_ / "x.ckpt");
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{10}, std::size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    write_file_atomic(dir_ / "t.ckpt", bytes.substr(0, keep));
    EXPECT_THROW(load_checkpoint(dir_ / "t.ckpt"), ConfigError) << "kept " << keep;
  }
}

TEST_F(CheckpointTest, WrongMagicAndMissingFileAreClearErrors) {
  write_file_atomic(dir_ / "notes.txt", "this is not a checkpoint at all, just some text");
  EXPECT_THROW(load_checkpoint(dir_ / "notes.txt"), ConfigError);
  EXPECT_THROW(load_checkpoint(dir_ / "missing.ckpt"), ConfigError);
}

}  // namespace
}  // namespace dither
