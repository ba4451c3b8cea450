// Checkpoints: load_checkpoint of the bytes, then, when it loads, restore_checkpoint into a
// small moons experiment, as --resume and eval do. The harness writes a correct CRC-32 over
// the bytes in the last four, so that the fuzzer reaches the header and tensor parsing behind
// the checksum (the checksum test itself is one comparison).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "fuzz_support.h"
#include "train/checkpoint.h"
#include "train/experiment.h"
#include "train/run_state.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::json config = nlohmann::json::parse(R"({
    "seed": 7, "data": {"name": "moons", "train_size": 40, "test_size": 20},
    "model": {"layers": [{"type": "linear", "out": 8}, {"type": "relu"},
                         {"type": "linear", "out": 2}]},
    "optimizer": {"type": "adam", "lr": 0.01}, "schedule": {"type": "cosine"},
    "noise": [{"type": "gaussian", "sigma": 0.1}], "train": {"epochs": 2, "batch_size": 8}})");
  std::string bytes = dither::fuzz::bytes(data, size);
  if (bytes.size() >= 8) {
    const auto crc = static_cast<std::uint32_t>(crc32(
        0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
  }
  const std::string path = dither::fuzz::scratch_file("ckpt", bytes);
  try {
    const dither::Checkpoint checkpoint = dither::load_checkpoint(path);
    dither::Experiment e = dither::build_experiment(config);
    dither::restore_checkpoint(checkpoint, e, path);
  } catch (const dither::ConfigError&) {
  } catch (const dither::ShapeError&) {
  }
  return 0;
}
