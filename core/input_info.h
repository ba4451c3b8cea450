#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"

namespace dither {

/// What the model's inputs are; hooks refuse techniques that make no sense for a kind.
/// spectrogram: float features [C, bands, frames] of audio (log-mel), lengths in frames.
enum class InputKind { image, tabular, tokens, sequence, points, spectrogram };

std::string to_string(InputKind kind);

/// Facts about a dataset's inputs that noise hooks and attacks rely on.
struct InputInfo {
  InputKind kind = InputKind::tabular;
  Shape sample_shape;  ///< one input, no batch axis (images: {C, H, W})
  float low = -1e30f;  ///< valid value range of the float inputs the model sees:
  float high = 1e30f;  ///< perturbations are clipped to it
  std::int64_t num_classes = 0;
  std::int64_t vocab_size = 0;  ///< tokens only
  std::int64_t pad_id = 0;      ///< tokens only
  std::int64_t mask_id = -1;    ///< tokens only: the mask token's id; -1 when there is none
  std::vector<std::int64_t> special_ids;  ///< tokens only: padding, mask and other non-word ids
  bool bounded() const { return low > -1e29f && high < 1e29f; }
};

}  // namespace dither
