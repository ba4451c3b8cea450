#pragma once

#include <filesystem>
#include <string_view>

namespace dither {

/// Writes `bytes` to `path` through a temporary file in the same folder, flushed to disk and
/// then renamed over `path`: a reader sees the old file or the new one, never half of one.
/// Throws ConfigError naming the path when the folder is not writable.
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// The whole file; throws ConfigError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace dither
