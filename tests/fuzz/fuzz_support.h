#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace dither::fuzz {

/// Whether every number in `j` lies in [-4096, 4096]: sizes the fuzzer may try without asking
/// for more memory or time than a run has.
inline bool small_numbers(const nlohmann::json& j) {
  if (j.is_structured()) {
    for (const auto& child : j)
      if (!small_numbers(child)) return false;
    return true;
  }
  return !j.is_number() || (j.get<double>() <= 4096 && j.get<double>() >= -4096);
}

/// The fuzzer's bytes as a string.
inline std::string bytes(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// A file of this process under /dev/shm (memory, not disk: a file per execution is cheap),
/// holding `text`; its path.
inline std::string scratch_file(const std::string& name, const std::string& text) {
  const std::string path = "/dev/shm/dither-fuzz-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

}  // namespace dither::fuzz
