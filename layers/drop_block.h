#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/module.h"

namespace dither {

/// The seed rate of DropBlock (Ghiasi et al. 2018, eq. 1): gamma = p / bs^2 * (H W) /
/// ((H - bs + 1)(W - bs + 1)), clamped to [0, 1]; seeds fall only where a whole bs x bs block
/// fits, so about a fraction p of the map is covered (a little less: blocks overlap).
double drop_block_gamma(double p, std::int64_t block_size, std::int64_t h, std::int64_t w);

/// DropBlock's mask for x of `shape` [N, C, H, W]: keep[i] is 0 inside the dropped blocks and 1
/// elsewhere, and scale = numel / (kept elements), the renormalisation over the whole batch (0
/// when nothing is kept); the layer computes x * keep * scale. Each feature map q = n C + c draws
/// its seeds (top-left corners (i, j), 0 <= i <= H - bs, 0 <= j <= W - bs, each a seed
/// independently with probability gamma = drop_block_gamma(p, ...)) from stream.child(q), as
/// geometric gaps between seeds in row-major order (gap k from 24 bits of that stream's
/// bits(k / 4)): the same distribution as one Bernoulli(gamma) per position, at a cost that grows
/// with the number of seeds, not the size of the map. A seed zeroes rows i..i+bs-1 and columns
/// j..j+bs-1: the max-pool of the seed mask.
struct DropBlockMask {
  std::shared_ptr<const std::vector<std::uint8_t>> keep;  ///< one byte per element of x
  float scale = 0.0f;
};
DropBlockMask drop_block_mask(const Shape& shape, double p, std::int64_t block_size,
                              const RandomStream& stream);

struct DropBlockOptions {
  double p = 0.1;               ///< target fraction of each feature map to drop
  std::int64_t block_size = 7;  ///< side of the square blocks
  std::int64_t ramp_steps = 0;  ///< 0: p from the first step; else p * min(1, step / ramp_steps)
};

/// DropBlock on [N, C, H, W]: while training, x * keep * scale with drop_block_mask(x.shape(),
/// rate, bs) from noise_stream("drop_block"), one mask per sample and channel; the identity (x
/// itself) in eval.
/// rate is p, or, with ramp_steps, p * min(1, t / ramp_steps) at optimiser step t (the noise
/// clock's step): the paper's linear ramp of the drop rate over training, counted in steps
/// because a layer sees steps, not epochs. Monte Carlo sampling in eval uses the full p.
/// Where dither differs from timm's DropBlock2d (drop_prob=0.1, block_size=7): timm's default
/// (fast=True) seeds everywhere and clips blocks at the borders; dither seeds only where a block
/// fits, as the paper and timm's fast=False do, so elements within bs - 1 of a border drop less
/// often than interior ones. The renormalisation numel / kept counts the whole batch, as timm
/// and the paper's count(M) / count_ones(M) do (not per sample). A block larger than the map is
/// refused (timm shrinks it to the map). For an even bs no centring question arises: a block is
/// indexed by its top-left corner.
/// JSON: {"type": "drop_block", "p": 0.1, "block_size": 7, "ramp_steps": 0}.
class DropBlock : public Module {
 public:
  /// Throws ConfigError unless p in [0, 1], block_size >= 1 and ramp_steps >= 0.
  explicit DropBlock(const DropBlockOptions& options);

  /// Throws ShapeError naming the layer unless x is [N, C, H, W] with H, W >= block_size.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "drop_block"; }
  nlohmann::json to_json() const override;

  /// The drop rate the next forward uses.
  double rate() const;
  const DropBlockOptions& options() const { return options_; }

 private:
  DropBlockOptions options_;
};

}  // namespace dither
