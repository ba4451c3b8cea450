#include "layers/drop_block.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"
#include "core/ops/noise.h"
#include "core/parallel.h"

namespace dither {
namespace {

void check_input(const Shape& shape, std::int64_t block_size) {
  check_shape(shape.size() == 4 && shape[2] >= block_size && shape[3] >= block_size,
              "drop_block: input ", shape, " must be [N, C, H, W] with H and W >= block_size ",
              block_size);
}

// Writes one feature map's mask, 1 kept and 0 dropped, and returns how many elements stay.
// per_log_miss = 1 / log(1 - gamma) for 0 < gamma <= 1 (-0 when gamma = 1: no gaps at all).
std::int64_t drop_blocks_in_map(std::uint8_t* mask, std::int64_t h, std::int64_t w, std::int64_t bs,
                                double per_log_miss, const RandomStream& stream) {
  std::fill_n(mask, h * w, std::uint8_t{1});
  const std::int64_t cols = w - bs + 1;
  const std::int64_t seeds = (h - bs + 1) * cols;
  std::int64_t dropped = 0;
  std::int64_t at = -1;
  std::array<std::uint32_t, 4> words{};
  for (std::uint64_t k = 0;; ++k) {
    if (k % 4 == 0) words = stream.bits(k / 4);
    // u in (0, 1] from 24 bits of draw k; P(gap >= g) = (1 - gamma)^g: the misses before the
    // next seed.
    const float u = static_cast<float>((words[k % 4] >> 8) + 1) * 0x1.0p-24f;  // exact
    const double gap = std::floor(static_cast<double>(std::log(u)) * per_log_miss);
    if (!(gap < static_cast<double>(seeds - at - 1))) break;
    at += 1 + static_cast<std::int64_t>(gap);
    std::uint8_t* block = mask + (at / cols) * w + at % cols;
    for (std::int64_t r = 0; r < bs; ++r) {
      for (std::int64_t c = 0; c < bs; ++c) {
        dropped += block[r * w + c];  // blocks overlap: count each element once
        block[r * w + c] = 0;
      }
    }
  }
  return h * w - dropped;
}

}  // namespace

double drop_block_gamma(double p, std::int64_t block_size, std::int64_t h, std::int64_t w) {
  const auto bs = static_cast<double>(block_size);
  const double fits = static_cast<double>((h - block_size + 1) * (w - block_size + 1));
  return std::clamp(p / (bs * bs) * static_cast<double>(h * w) / fits, 0.0, 1.0);
}

DropBlockMask drop_block_mask(const Shape& shape, double p, std::int64_t block_size,
                              const RandomStream& stream) {
  check_input(shape, block_size);
  const std::int64_t h = shape[2];
  const std::int64_t w = shape[3];
  const std::int64_t maps = shape[0] * shape[1];
  const auto numel = static_cast<std::size_t>(maps * h * w);
  const double gamma = drop_block_gamma(p, block_size, h, w);
  DropBlockMask mask;
  mask.scale = 1.0f;
  if (gamma == 0.0) {
    mask.keep = std::make_shared<const std::vector<std::uint8_t>>(numel, std::uint8_t{1});
    return mask;
  }
  auto keep = std::make_shared<std::vector<std::uint8_t>>(numel);
  const double per_log_miss = 1.0 / std::log1p(-gamma);
  std::vector<std::int64_t> kept(static_cast<std::size_t>(maps));
  parallel_for(
      maps,
      [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t q = b; q < e; ++q) {
          kept[static_cast<std::size_t>(q)] =
              drop_blocks_in_map(keep->data() + q * h * w, h, w, block_size, per_log_miss,
                                 stream.child(static_cast<std::uint64_t>(q)));
        }
      },
      std::max<std::int64_t>(1, kGrainSize / (h * w)));
  std::int64_t total = 0;
  for (std::int64_t k : kept) total += k;
  mask.scale = total > 0 ? static_cast<float>(static_cast<double>(numel) / total) : 0.0f;
  mask.keep = std::move(keep);
  return mask;
}

DropBlock::DropBlock(const DropBlockOptions& options) : options_(options) {
  check_drop_probability(type_name(), options.p);
  if (options.block_size < 1 || options.ramp_steps < 0) {
    throw ConfigError(str("drop_block: block_size must be >= 1 and ramp_steps >= 0, got ",
                          options.block_size, " and ", options.ramp_steps));
  }
}

double DropBlock::rate() const {
  if (options_.ramp_steps == 0 || !is_training()) return options_.p;
  const auto step = static_cast<double>(std::max<std::int64_t>(0, noise_clock().step));
  return options_.p * std::min(1.0, step / static_cast<double>(options_.ramp_steps));
}

Tensor DropBlock::forward(const Tensor& x) {
  check_input(x.shape(), options_.block_size);
  if (!noise_active()) return x;
  const double p = rate();
  if (p == 0.0) return x;
  const DropBlockMask mask =
      drop_block_mask(x.shape(), p, options_.block_size, noise_stream(type_name()));
  return apply_keep_mask(x, mask.keep, mask.scale);
}

nlohmann::json DropBlock::to_json() const {
  return {{"type", type_name()},
          {"p", options_.p},
          {"block_size", options_.block_size},
          {"ramp_steps", options_.ramp_steps}};
}

}  // namespace dither
