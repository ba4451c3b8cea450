#include "core/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "core/error.h"
#include "core/parallel.h"

namespace dither {
namespace {

std::uint64_t splitmix(std::uint64_t x) { return splitmix64(x); }

std::uint64_t mix(std::uint64_t hash, std::uint64_t value) {
  return splitmix(hash ^ splitmix(value));
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// 53 random bits as a double in [0, 1).
double unit_double(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (std::uint64_t{hi} << 32 | lo) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53;
}

// Box-Muller from one Philox block: u1 in (0, 1] keeps the log finite.
double normal_from(const std::array<std::uint32_t, 4>& w) {
  const double u1 = 1.0 - unit_double(w[0], w[1]);
  const double u2 = unit_double(w[2], w[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> c,
                                        std::array<std::uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += philox::kWeyl0;
      k[1] += philox::kWeyl1;
    }
    const std::uint64_t p0 = std::uint64_t{philox::kMul0} * c[0];
    const std::uint64_t p1 = std::uint64_t{philox::kMul1} * c[2];
    c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
         static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
  }
  return c;
}

RandomStream::RandomStream(std::uint64_t seed, std::string_view purpose,
                           std::initializer_list<std::uint64_t> path)
    : hash_(mix(splitmix(seed), fnv1a(purpose))) {
  for (std::uint64_t p : path) hash_ = mix(hash_, p);
}

RandomStream::RandomStream(std::uint64_t hash, int) : hash_(hash) {}

RandomStream RandomStream::child(std::uint64_t index) const {
  return RandomStream(mix(hash_, index), 0);
}

std::array<std::uint32_t, 4> RandomStream::bits(std::uint64_t i, std::uint32_t draw) const {
  const std::uint64_t key = splitmix(hash_);
  return philox4x32({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32), draw,
                     static_cast<std::uint32_t>(hash_)},
                    {static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)});
}

float RandomStream::uniform(std::uint64_t i) const {
  return static_cast<float>(bits(i)[0] >> 8) * 0x1.0p-24f;
}

float RandomStream::normal(std::uint64_t i) const {
  return static_cast<float>(normal_from(bits(i)));
}

bool RandomStream::bernoulli(std::uint64_t i, double p) const {
  const auto w = bits(i);
  return unit_double(w[0], w[1]) < p;
}

std::int64_t RandomStream::integer(std::uint64_t i, std::int64_t n) const {
  check(n >= 1, "RandomStream::integer: n must be >= 1, got ", n);
  const auto w = bits(i);
  const std::uint64_t r = std::uint64_t{w[0]} << 32 | w[1];
  // Multiply-high maps 64 bits onto [0, n); the bias is below n / 2^64.
  return static_cast<std::int64_t>(
      (static_cast<unsigned __int128>(r) * static_cast<std::uint64_t>(n)) >> 64);
}

double RandomStream::gamma(std::uint64_t i, double alpha) const {
  check(alpha > 0.0, "RandomStream::gamma: alpha must be > 0, got ", alpha);
  // Marsaglia-Tsang; alpha < 1 boosts to alpha + 1 and scales by U^(1/alpha).
  const double a = alpha < 1.0 ? alpha + 1.0 : alpha;
  const double d = a - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  double value = 0.0;
  for (std::uint32_t attempt = 0;; ++attempt) {
    const auto w = bits(i, attempt);
    const double x = normal_from(w);
    const double v = std::pow(1.0 + c * x, 3.0);
    if (v <= 0.0) continue;
    const auto w2 = bits(i, attempt | 0x80000000u);
    const double u = 1.0 - unit_double(w2[0], w2[1]);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
      value = d * v;
      break;
    }
  }
  if (alpha < 1.0) {
    const auto w = bits(i, 0xFFFFFFFFu);
    value *= std::pow(1.0 - unit_double(w[0], w[1]), 1.0 / alpha);
  }
  return value;
}

std::int64_t RandomStream::poisson(std::uint64_t i, double mean) const {
  check(mean >= 0.0 && mean <= 1e8, "RandomStream::poisson: mean must be in [0, 1e8], got ", mean);
  // The smallest k whose cumulative probability exceeds a uniform, found by walking up from 0:
  // exact to double rounding, and thread-safe, unlike libstdc++'s samplers, whose std::lgamma
  // writes the global signgam. Means above 256 are split into pieces, each its own Poisson (a
  // sum of Poissons is one), so exp(-piece) stays far from underflow.
  constexpr double kPiece = 256.0;
  std::int64_t count = 0;
  std::uint32_t draw = 0;
  for (double left = mean; left > 0.0; left -= kPiece) {
    const double piece = std::min(left, kPiece);
    const auto w = bits(i, draw++);
    const double u = unit_double(w[0], w[1]);
    double p = std::exp(-piece);
    double cdf = p;
    std::int64_t k = 0;
    while (u >= cdf && p > 0.0) {  // p reaches 0 in the far tail, should rounding leave cdf < u
      ++k;
      p *= piece / static_cast<double>(k);
      cdf += p;
    }
    count += k;
  }
  return count;
}

double RandomStream::beta(std::uint64_t i, double a, double b) const {
  check(a > 0.0 && b > 0.0, "RandomStream::beta: a and b must be > 0, got ", a, ", ", b);
  const double x = child(0).gamma(i, a);
  const double y = child(1).gamma(i, b);
  return x + y > 0.0 ? x / (x + y) : (a >= b ? 1.0 : 0.0);
}

std::vector<std::int64_t> RandomStream::permutation(std::int64_t n) const {
  check(n >= 0, "RandomStream::permutation: n must be >= 0, got ", n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
  for (std::int64_t k = n - 1; k > 0; --k) {
    std::swap(order[static_cast<std::size_t>(k)],
              order[static_cast<std::size_t>(integer(static_cast<std::uint64_t>(k), k + 1))]);
  }
  return order;
}

RandomStream Generator::next(std::string_view purpose) {
  return RandomStream(seed_, purpose, {position_++});
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace dither
