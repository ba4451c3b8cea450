#pragma once

#include <cstdint>

namespace dither {

/// Float buffers recycled by exact size, so a training step that repeats the same shapes
/// allocates nothing once it has run once. Thread-safe; 64-byte aligned.
namespace buffer_pool {

float* acquire(std::int64_t size);  ///< Uninitialised; never null (throws std::bad_alloc).
void release(float* data, std::int64_t size);
std::int64_t cached_bytes();      ///< What the pool holds for reuse now.
std::int64_t allocation_count();  ///< Fresh allocations since start: a steady step adds none.
void clear();                     ///< Frees every cached buffer.

}  // namespace buffer_pool
}  // namespace dither
