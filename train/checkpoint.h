#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "layers/module.h"

namespace dither {

/// What a checkpoint holds: named tensors (model parameters and buffers, optimiser state) and
/// a JSON document for everything else (config, epoch, step, random-stream position, schedule).
struct Checkpoint {
  nlohmann::json meta = nlohmann::json::object();
  NamedTensors tensors;
};

/// File format, version 1 (all integers little-endian):
///   "DITHERCK" | u32 version | u32 0 | u64 header bytes | header JSON | float32 data | u32 CRC-32
/// The header JSON is {"meta": ..., "tensors": [{"name", "shape", "offset"}]}; offsets count floats
/// into the data block; the CRC covers every byte before it. Written atomically.
void save_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);

/// Throws ConfigError naming the file for a wrong magic, an unknown version, a truncated file or
/// a checksum mismatch.
Checkpoint load_checkpoint(const std::filesystem::path& path);

inline constexpr std::uint32_t kCheckpointVersion = 1;

}  // namespace dither
