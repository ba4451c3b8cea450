#include "core/buffer_pool.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace dither::buffer_pool {
namespace {

// Above this the pool frees instead of caching, so a run that changes shapes cannot hoard memory.
constexpr std::int64_t kMaxCachedBytes = std::int64_t{2} << 30;
constexpr std::size_t kAlignment = 64;

struct Pool {
  std::mutex mutex;
  std::unordered_map<std::int64_t, std::vector<float*>> free_lists;
  std::int64_t cached_bytes = 0;
  std::int64_t allocations = 0;
};

Pool& pool() {
  static Pool* instance = new Pool;  // never destroyed: buffers may be released during exit
  return *instance;
}

std::size_t bytes_of(std::int64_t size) {
  const std::size_t bytes = static_cast<std::size_t>(size > 0 ? size : 1) * sizeof(float);
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

}  // namespace

float* acquire(std::int64_t size) {
  Pool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    auto it = p.free_lists.find(size);
    if (it != p.free_lists.end() && !it->second.empty()) {
      float* data = it->second.back();
      it->second.pop_back();
      p.cached_bytes -= static_cast<std::int64_t>(bytes_of(size));
      return data;
    }
    ++p.allocations;
  }
  void* data = std::aligned_alloc(kAlignment, bytes_of(size));
  if (data == nullptr) throw std::bad_alloc();
  return static_cast<float*>(data);
}

void release(float* data, std::int64_t size) {
  Pool& p = pool();
  const auto bytes = static_cast<std::int64_t>(bytes_of(size));
  {
    std::lock_guard lock(p.mutex);
    if (p.cached_bytes + bytes <= kMaxCachedBytes) {
      p.free_lists[size].push_back(data);
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

void clear() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  for (auto& [size, list] : p.free_lists) {
    for (float* data : list) std::free(data);
  }
  p.free_lists.clear();
  p.cached_bytes = 0;
}

}  // namespace dither::buffer_pool
