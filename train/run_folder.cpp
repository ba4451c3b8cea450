#include "train/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "core/error.h"

namespace dither {

namespace fs = std::filesystem;

fs::path default_run_dir(const std::string& config_path) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::ostringstream name;
  name << fs::path(config_path).stem().string() << '-' << std::put_time(&local, "%Y%m%d-%H%M%S");
  fs::path dir = fs::path("runs") / name.str();
  for (int k = 2; fs::exists(dir); ++k)
    dir = fs::path("runs") / (name.str() + "-" + std::to_string(k));
  return dir;
}

void make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ConfigError(dir.string() + ": cannot create the run folder: " + ec.message());
}

bool holds_run(const fs::path& dir) {
  std::error_code ec;
  for (const char* name : {"config.json", "last.ckpt", "best.ckpt", "metrics.csv", "summary.json"})
    if (fs::exists(dir / name, ec)) return true;
  return false;
}

FolderLock::FolderLock(const fs::path& dir) {
  const fs::path file = dir / ".lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw ConfigError(str(file.string(), ": cannot open: ", std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    throw ConfigError(err == EWOULDBLOCK
                          ? dir.string() + ": another dither process is training in this folder"
                          : str(file.string(), ": cannot lock: ", std::strerror(err)));
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace dither
