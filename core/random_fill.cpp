// The bulk draws of RandomStream (fill_uniform, fill_normal, fill_bernoulli): one Philox4x32-10
// block gives four elements (in groups of 1024: element e of group g is word e / 256 of block
// 256 g + e % 256), and the loops are written so the compiler vectorises them (the
// block's rounds, a float log and a float sine/cosine as plain arithmetic), compiled for AVX-512,
// AVX2 and baseline x86-64 and picked at load time (core/simd.h). Without this a noise hook costs
// more than the matrix products of a small MLP.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "core/parallel.h"
#include "core/random.h"
#include "core/simd.h"

namespace dither {
namespace {

using philox::kMul0;
using philox::kMul1;
using philox::kWeyl0;
using philox::kWeyl1;
constexpr std::int64_t kBlocks = 256;         // Philox blocks per group: four words of 1 KiB each
constexpr std::int64_t kGroup = 4 * kBlocks;  // elements per group

struct Words {
  std::uint32_t w[4][kBlocks];
};

// Philox4x32-10 of counters (b, b >> 32, 0, tag) for b in [first, first + kBlocks): the same
// blocks RandomStream::bits(b) gives.
DITHER_CLONES void philox_blocks(std::uint64_t first, std::uint32_t tag, std::uint32_t key0,
                                 std::uint32_t key1, Words& out) {
  for (std::int64_t j = 0; j < kBlocks; ++j) {
    const std::uint64_t b = first + static_cast<std::uint64_t>(j);
    std::uint32_t c0 = static_cast<std::uint32_t>(b);
    std::uint32_t c1 = static_cast<std::uint32_t>(b >> 32);
    std::uint32_t c2 = 0;
    std::uint32_t c3 = tag;
    std::uint32_t k0 = key0;
    std::uint32_t k1 = key1;
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{kMul0} * c0;
      const std::uint64_t p1 = std::uint64_t{kMul1} * c2;
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
      c1 = static_cast<std::uint32_t>(p1);
      c3 = static_cast<std::uint32_t>(p0);
      c0 = n0;
      c2 = n2;
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    out.w[0][j] = c0;
    out.w[1][j] = c1;
    out.w[2][j] = c2;
    out.w[3][j] = c3;
  }
}

// 24 random bits as a float in (0, 1].
inline float open_unit(std::uint32_t w) { return static_cast<float>((w >> 8) + 1u) * 0x1.0p-24f; }

// 24 random bits as a float in [0, 1).
inline float unit(std::uint32_t w) { return static_cast<float>(w >> 8) * 0x1.0p-24f; }

// Natural log of x in (0, 1] (Cephes' logf polynomial, within 2 ulp), branch-free.
inline float log_unit(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  std::int32_t e = static_cast<std::int32_t>(bits >> 23) - 127;
  float m = std::bit_cast<float>((bits & 0x007FFFFFu) | 0x3F800000u);  // [1, 2)
  const bool big = m > 1.41421356f;
  m = big ? m * 0.5f : m;
  e = big ? e + 1 : e;
  const float f = m - 1.0f;
  const float z = f * f;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  const float fe = static_cast<float>(e);
  y = y * f * z - 2.12194440e-4f * fe - 0.5f * z;
  return f + y + 0.693359375f * fe;
}

// sin and cos of 2 pi u for u in [0, 1): a quarter-turn reduction, then Cephes' sinf and cosf
// polynomials on [-pi/4, pi/4].
inline void sincos_turn(float u, float& s, float& c) {
  const float q = static_cast<float>(static_cast<std::int32_t>(u * 4.0f + 0.5f));  // 0..4
  const float a = (u - 0.25f * q) * 6.28318530717958648f;
  const float a2 = a * a;
  const float sa =
      a + a * a2 * (-1.6666654611e-1f + a2 * (8.3321608736e-3f + a2 * -1.9515295891e-4f));
  const float ca =
      1.0f - 0.5f * a2 +
      a2 * a2 *
          (4.166664568298827e-2f + a2 * (-1.388731625493765e-3f + a2 * 2.443315711809948e-5f));
  const std::int32_t quarter = static_cast<std::int32_t>(q) & 3;
  const bool swap = (quarter & 1) != 0;
  const float sin_base = swap ? ca : sa;
  const float cos_base = swap ? sa : ca;
  s = (quarter >= 2) ? -sin_base : sin_base;
  c = (quarter == 1 || quarter == 2) ? -cos_base : cos_base;
}

// Element e of a group of kGroup is word e / kBlocks of block e % kBlocks: each word fills a
// contiguous run, so the loops below store whole vectors.
DITHER_CLONES void uniform_from(const Words& w, float low, float scale, float* out) {
  for (int lane = 0; lane < 4; ++lane) {
    for (std::int64_t j = 0; j < kBlocks; ++j)
      out[lane * kBlocks + j] = low + scale * unit(w.w[lane][j]);
  }
}

// Box-Muller: words 0 and 1 give the cosine (first run) and sine (second run) normals, words 2
// and 3 the third and fourth runs.
DITHER_CLONES void normal_from(const Words& w, float mean, float std, float* out) {
  for (int pair = 0; pair < 2; ++pair) {
    float* cos_run = out + 2 * pair * kBlocks;
    float* sin_run = cos_run + kBlocks;
    for (std::int64_t j = 0; j < kBlocks; ++j) {
      const float r = std * std::sqrt(-2.0f * log_unit(open_unit(w.w[2 * pair][j])));
      float s;
      float c;
      sincos_turn(unit(w.w[2 * pair + 1][j]), s, c);
      cos_run[j] = mean + r * c;
      sin_run[j] = mean + r * s;
    }
  }
}

DITHER_CLONES void bernoulli_from(const Words& w, std::uint32_t threshold, float value,
                                  float* out) {
  for (int lane = 0; lane < 4; ++lane) {
    for (std::int64_t j = 0; j < kBlocks; ++j) {
      out[lane * kBlocks + j] = (w.w[lane][j] >> 8) < threshold ? value : 0.0f;
    }
  }
}

// fill(words, out) writes the kGroup elements of one group of kBlocks Philox blocks.
template <class Fill>
void fill_groups(const RandomStream& stream, std::span<float> out, std::uint64_t offset,
                 const Fill& fill) {
  check(offset % kGroup == 0, "RandomStream: a bulk draw's offset must be a multiple of ", kGroup,
        ", got ", offset);
  const auto n = static_cast<std::int64_t>(out.size());
  const std::int64_t groups = (n + kGroup - 1) / kGroup;
  const std::uint64_t key = splitmix64(stream.name_hash());
  const auto tag = static_cast<std::uint32_t>(stream.name_hash());
  const std::uint64_t first = offset / kGroup;
  parallel_for(
      groups,
      [&](std::int64_t g0, std::int64_t g1) {
        Words words;
        float tail[kGroup];
        for (std::int64_t g = g0; g < g1; ++g) {
          philox_blocks((first + static_cast<std::uint64_t>(g)) * kBlocks, tag,
                        static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32),
                        words);
          const std::int64_t begin = g * kGroup;
          const std::int64_t count = std::min(kGroup, n - begin);
          if (count == kGroup) {
            fill(words, out.data() + begin);
          } else {  // the last, partial group
            fill(words, tail);
            std::copy_n(tail, count, out.data() + begin);
          }
        }
      },
      std::max<std::int64_t>(1, kGrainSize / kGroup));
}

}  // namespace

void RandomStream::fill_uniform(std::span<float> out, float low, float high,
                                std::uint64_t offset) const {
  fill_groups(*this, out, offset,
              [&](const Words& w, float* o) { uniform_from(w, low, high - low, o); });
}

void RandomStream::fill_normal(std::span<float> out, float mean, float std,
                               std::uint64_t offset) const {
  fill_groups(*this, out, offset, [&](const Words& w, float* o) { normal_from(w, mean, std, o); });
}

void RandomStream::fill_bernoulli(std::span<float> out, double p, float value,
                                  std::uint64_t offset) const {
  // P(bits < t) = t / 2^24 with t = round(p 2^24): p to within 3e-8.
  const auto threshold = static_cast<std::uint32_t>(std::clamp(p, 0.0, 1.0) * 16777216.0 + 0.5);
  fill_groups(*this, out, offset,
              [&](const Words& w, float* o) { bernoulli_from(w, threshold, value, o); });
}

}  // namespace dither
