#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

namespace dither {

/// Philox4x32-10's multipliers and key increments (Salmon et al. 2011).
namespace philox {
inline constexpr std::uint32_t kMul0 = 0xD2511F53u;
inline constexpr std::uint32_t kMul1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
inline constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;
}  // namespace philox

/// SplitMix64's finaliser: a 64-bit bijection that scrambles every bit.
std::uint64_t splitmix64(std::uint64_t x);

/// Philox4x32-10 (Salmon et al. 2011): 128-bit counter, 64-bit key, 4 x 32 random bits out.
std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> counter,
                                        std::array<std::uint32_t, 2> key);

/// A named, stateless stream of random numbers. The name (seed, purpose, path...) picks the key;
/// element i of a draw is a pure function of (name, i), so results never depend on the thread
/// count or on what else was drawn before.
class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view purpose,
               std::initializer_list<std::uint64_t> path = {});
  /// An independent sub-stream: (name..., index).
  RandomStream child(std::uint64_t index) const;

  /// Raw bits of counter (i, draw).
  std::array<std::uint32_t, 4> bits(std::uint64_t i, std::uint32_t draw = 0) const;
  float uniform(std::uint64_t i) const;             ///< [0, 1)
  float normal(std::uint64_t i) const;              ///< N(0, 1), Box-Muller in double precision
  bool bernoulli(std::uint64_t i, double p) const;  ///< true with probability p
  std::int64_t integer(std::uint64_t i, std::int64_t n) const;  ///< uniform on [0, n), n >= 1
  double gamma(std::uint64_t i, double alpha) const;            ///< Gamma(alpha, 1), alpha > 0
  double beta(std::uint64_t i, double a, double b) const;       ///< Beta(a, b), a, b > 0
  /// Poisson(mean), 0 <= mean <= 1e8, by inversion: about mean + 1 steps.
  std::int64_t poisson(std::uint64_t i, double mean) const;
  std::vector<std::int64_t> permutation(std::int64_t n) const;  ///< of 0..n-1

  /// Bulk draws, for tensors of noise: element k (counted from `offset`, a multiple of 1024) is
  /// a pure function of (name, offset + k), taken four to a Philox block, vectorised and in
  /// parallel. They are not the scalar draws above (uniform(k) != fill_uniform's element k).
  /// out[k] ~ U[low, high) on a 2^-24 grid.
  void fill_uniform(std::span<float> out, float low, float high, std::uint64_t offset = 0) const;
  /// out[k] = mean + std * z, z ~ N(0, 1) by Box-Muller in single precision (|z| <= 5.8).
  void fill_normal(std::span<float> out, float mean, float std, std::uint64_t offset = 0) const;
  /// out[k] = value with probability p (to within 3e-8), else 0.
  void fill_bernoulli(std::span<float> out, double p, float value, std::uint64_t offset = 0) const;

  /// The whole name folded into 64 bits: Philox's key is splitmix64 of it, and its low word
  /// fills the counter's last word.
  std::uint64_t name_hash() const { return hash_; }

 private:
  RandomStream(std::uint64_t hash, int);
  std::uint64_t hash_;  // the whole name folded into 64 bits: key and counter word 3
};

/// Hands out fresh streams in a fixed order: (seed, purpose, draw number). Layers that need
/// noise in forward() (dropout and friends) and parameter init take their streams here.
/// Its position is part of a checkpoint, so a resumed run draws what the first run would have.
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : seed_(seed) {}
  RandomStream next(std::string_view purpose);
  std::uint64_t seed() const { return seed_; }
  std::uint64_t position() const { return position_; }
  void set_position(std::uint64_t position) { position_ = position; }
  void manual_seed(std::uint64_t seed) {
    seed_ = seed;
    position_ = 0;
  }

 private:
  std::uint64_t seed_;
  std::uint64_t position_ = 0;
};

/// The process-wide Generator; only the thread that runs the model draws from it.
Generator& default_generator();
void manual_seed(std::uint64_t seed);  ///< default_generator().manual_seed(seed)

}  // namespace dither
