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
/// While on, every buffer acquire() hands out is filled with NaN, so an op that leaves part of
/// its output unwritten shows NaN instead of passing by luck on a recycled buffer's old values.
/// Off by default; on when DITHER_POISON_BUFFERS is set (to anything but 0) at start-up. The
/// test command runs the suite with it on (scripts/run.sh).
void set_poison(bool on);
bool poisoned();

}  // namespace buffer_pool
}  // namespace dither
