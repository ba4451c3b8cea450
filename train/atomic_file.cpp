#include "train/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "train/interrupt.h"

namespace dither {
namespace {

constexpr std::string_view kTemporaryTag = ".tmp-";

// Writes all of `bytes` to `fd`; errno on failure, else 0.
int write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : ENOSPC;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// The PID in a temporary's name ("x.ckpt.tmp-123" or "curves.png.tmp-123.png"), or 0.
pid_t temporary_pid(const std::string& name) {
  const auto tag = name.rfind(kTemporaryTag);
  if (tag == std::string::npos || tag == 0) return 0;
  const std::string rest = name.substr(tag + kTemporaryTag.size());
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits == 0 || digits > 9) return 0;
  if (digits < rest.size() && (rest[digits] != '.' || rest.find('.', digits + 1) != rest.npos))
    return 0;
  return static_cast<pid_t>(std::stol(rest.substr(0, digits)));
}

}  // namespace

std::filesystem::path temporary_path(const std::filesystem::path& path) {
  return path.string() + std::string(kTemporaryTag) + std::to_string(::getpid());
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path tmp = temporary_path(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw ConfigError(str(path.string(), ": cannot write: ", std::strerror(errno)));
  const std::size_t half = bytes.size() / 2;
  int err = write_all(fd, bytes.substr(0, half));
  crash_point();  // half written
  if (err == 0) err = write_all(fd, bytes.substr(half));
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  crash_point();  // written, not yet renamed
  if (err == 0 && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw ConfigError(str(path.string(), ": write failed: ", std::strerror(err),
                          err == ENOSPC ? " (the disk is full; the previous file is kept)" : ""));
  }
  crash_point();  // renamed
  // The rename lives in the folder: without this, a power loss can bring back the old name.
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

int remove_stale_temporaries(const std::filesystem::path& folder) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const pid_t pid = temporary_pid(entry.path().filename().string());
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // its writer may still be at work
    std::error_code ignored;
    removed += std::filesystem::remove(entry.path(), ignored) ? 1 : 0;
  }
  return removed;
}

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(str(path.string(), ": is a folder, not a file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(str(path.string(), ": cannot open: ", std::strerror(errno)));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw ConfigError(str(path.string(), ": read failed"));
  return out.str();
}

}  // namespace dither
