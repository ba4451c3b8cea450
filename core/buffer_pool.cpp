#include "core/buffer_pool.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace dither::buffer_pool {
namespace {

constexpr std::int64_t kDefaultMaxCachedBytes = std::int64_t{2} << 30;
constexpr std::size_t kAlignment = 64;

struct SizeClass {
  std::vector<float*> buffers;
  std::uint64_t last_use = 0;  // the pool's clock at this size's last acquire or release
};

bool poison_from_environment() {
  const char* v = std::getenv("DITHER_POISON_BUFFERS");
  return v != nullptr && std::strcmp(v, "") != 0 && std::strcmp(v, "0") != 0;
}

struct Pool {
  std::mutex mutex;
  std::unordered_map<std::int64_t, SizeClass> classes;
  std::int64_t cached_bytes = 0;
  std::int64_t max_cached_bytes = kDefaultMaxCachedBytes;
  std::int64_t allocations = 0;
  std::uint64_t clock = 0;
  bool poison = poison_from_environment();
};

Pool& pool() {
  static Pool* instance = new Pool;  // never destroyed: buffers may be released during exit
  return *instance;
}

std::size_t bytes_of(std::int64_t size) {
  const std::size_t bytes = static_cast<std::size_t>(size > 0 ? size : 1) * sizeof(float);
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

void free_class(Pool& p, std::int64_t size, SizeClass& c) {
  for (float* data : c.buffers) std::free(data);
  p.cached_bytes -= static_cast<std::int64_t>(c.buffers.size() * bytes_of(size));
  c.buffers.clear();
}

// Frees whole size classes, least recently used first, until `bytes` more fit under the limit:
// a run whose shapes change (another batch size, other sequence lengths) keeps the buffers of
// the shapes it uses now, instead of a full pool of old ones and an allocation per new tensor.
void make_room(Pool& p, std::int64_t bytes, std::int64_t keep_size) {
  while (p.cached_bytes + bytes > p.max_cached_bytes) {
    auto oldest = p.classes.end();
    for (auto it = p.classes.begin(); it != p.classes.end(); ++it) {
      if (it->first == keep_size || it->second.buffers.empty()) continue;
      if (oldest == p.classes.end() || it->second.last_use < oldest->second.last_use) oldest = it;
    }
    if (oldest == p.classes.end()) return;
    free_class(p, oldest->first, oldest->second);
    p.classes.erase(oldest);
  }
}

}  // namespace

float* acquire(std::int64_t size) {
  Pool& p = pool();
  float* data = nullptr;
  bool poison = false;
  {
    std::lock_guard lock(p.mutex);
    poison = p.poison;
    auto it = p.classes.find(size);
    if (it != p.classes.end() && !it->second.buffers.empty()) {
      data = it->second.buffers.back();
      it->second.buffers.pop_back();
      it->second.last_use = ++p.clock;
      p.cached_bytes -= static_cast<std::int64_t>(bytes_of(size));
    } else {
      ++p.allocations;
    }
  }
  if (data == nullptr) {
    data = static_cast<float*>(std::aligned_alloc(kAlignment, bytes_of(size)));
    if (data == nullptr) throw std::bad_alloc();
  }
  if (poison) std::fill_n(data, size, std::numeric_limits<float>::quiet_NaN());
  return data;
}

void release(float* data, std::int64_t size) {
  Pool& p = pool();
  const auto bytes = static_cast<std::int64_t>(bytes_of(size));
  {
    std::lock_guard lock(p.mutex);
    make_room(p, bytes, size);
    if (p.cached_bytes + bytes <= p.max_cached_bytes) {
      SizeClass& c = p.classes[size];
      c.buffers.push_back(data);
      c.last_use = ++p.clock;
      p.cached_bytes += bytes;
      return;
    }
  }
  std::free(data);
}

std::int64_t cached_bytes() {
  std::lock_guard lock(pool().mutex);
  return pool().cached_bytes;
}

std::int64_t allocation_count() {
  std::lock_guard lock(pool().mutex);
  return pool().allocations;
}

void set_max_cached_bytes(std::int64_t bytes) {
  check(bytes >= 0, "buffer_pool::set_max_cached_bytes: need a size >= 0, got ", bytes);
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  p.max_cached_bytes = bytes;
  make_room(p, 0, std::numeric_limits<std::int64_t>::min());
}

std::int64_t max_cached_bytes() {
  std::lock_guard lock(pool().mutex);
  return pool().max_cached_bytes;
}

void set_poison(bool on) {
  std::lock_guard lock(pool().mutex);
  pool().poison = on;
}

bool poisoned() {
  std::lock_guard lock(pool().mutex);
  return pool().poison;
}

void clear() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  for (auto& [size, c] : p.classes) free_class(p, size, c);
  p.classes.clear();
  p.cached_bytes = 0;
}

}  // namespace dither::buffer_pool
