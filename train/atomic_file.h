#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dither {

/// Writes `bytes` to `path` through a temporary file `NAME.tmp-PID` in the same folder: written,
/// fsynced, renamed over `path`, and the folder fsynced, so that after a crash or a power loss a
/// reader sees the old file or the new one, never half of one. Throws ConfigError naming the
/// path when the folder is not writable or the disk is full (the temporary is then removed and
/// the old file is left as it was).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// The temporary name write_file_atomic (and the plotter) use for `path` in this process.
std::filesystem::path temporary_path(const std::filesystem::path& path);

/// Removes the temporaries (`NAME.tmp-PID`, `NAME.tmp-PID.EXT`) in `folder` whose process is
/// gone: what a killed write leaves behind. Returns how many it removed.
int remove_stale_temporaries(const std::filesystem::path& folder);

/// The whole file; throws ConfigError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace dither
