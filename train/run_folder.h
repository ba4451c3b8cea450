#pragma once

#include <filesystem>
#include <string>

namespace dither {

/// `runs/<config name>-<local time>`, with a "-2", "-3"... suffix when that folder exists.
std::filesystem::path default_run_dir(const std::string& config_path);

/// Creates `dir` and its parents; ConfigError naming it when that fails.
void make_dir(const std::filesystem::path& dir);

/// Whether `dir` holds a run: any of config.json, last.ckpt, best.ckpt, metrics.csv,
/// summary.json.
bool holds_run(const std::filesystem::path& dir);

/// An exclusive flock(2) on `dir/.lock`, held while a process trains in `dir`; the kernel
/// releases it when the object dies or the process does (a kill -9 included), so a lock is
/// never stale. Throws ConfigError naming the folder when another process holds it.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace dither
