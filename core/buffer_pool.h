#pragma once

#include <cstdint>

namespace dither {

/// Float buffers recycled by exact size, so a training step that repeats the same shapes
/// allocates nothing once it has run once. Thread-safe; 64-byte aligned. The pool holds at most
/// max_cached_bytes() (2 GiB by default); to stay under it, it frees the buffers of the sizes
/// least recently used.
namespace buffer_pool {

float* acquire(std::int64_t size);  ///< Uninitialised; never null (throws std::bad_alloc).
void release(float* data, std::int64_t size);
std::int64_t cached_bytes();      ///< What the pool holds for reuse now.
std::int64_t allocation_count();  ///< Fresh allocations since start: a steady step adds none.
/// The most the pool may hold; lowering it frees the least recently used sizes at once.
void set_max_cached_bytes(std::int64_t bytes);
std::int64_t max_cached_bytes();
void clear();  ///< Frees every cached buffer.

}  // namespace buffer_pool
}  // namespace dither
