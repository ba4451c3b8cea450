#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/input_info.h"

namespace dither {

/// Sequences with at most this many features are drawn as curves, one colour per feature.
inline constexpr std::int64_t kMaxCurves = 4;

/// Sequence stages [B, T, F] (F <= kMaxCurves) as a grid of small plots, one row per stage and
/// one column per sample: each feature's curve in its colour over the sample's valid steps
/// (white background) and in grey over its padding (grey background); after the input row the
/// input's curve is drawn faintly behind, so a hook's change shows as the gap between the two.
/// Every row of a column shares the input sample's vertical scale. The target and the length
/// are written under each plot. PNG bytes.
std::string draw_sequence_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                                 const std::vector<std::string>& class_names, std::int64_t samples);

/// Token stages [B, L] as lines of text, one panel per stage and one line per sample: each id
/// is written as its vocabulary string (accented letters as their base letter with a dot
/// above, as the bitmap font has ASCII only; "#" for the mask id, "?" for others it cannot
/// write), and a position whose id differs from the input stage's is marked: red for the mask
/// id, orange for another token. Padding past the sample's length is a grey ".". PNG bytes.
std::string draw_token_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                              const InputInfo& input, const std::vector<std::string>& vocabulary,
                              const std::vector<std::string>& class_names, std::int64_t samples);

}  // namespace dither
