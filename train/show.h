#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/input_info.h"

namespace dither {

/// What `dither show` was asked to draw.
struct ShowRequest {
  std::string config_path;
  std::vector<std::string> overrides;  ///< --set key.path=value
  std::filesystem::path out;           ///< PNG file; empty: "<config name>-show.png"
  std::int64_t samples = 8;            ///< columns (images) or rows (tables) per stage
  std::int64_t step = 0;               ///< the training step whose batch and draws are shown
};

/// One training batch of the config at `step` before and after each configured hook, in config
/// order, drawn to a PNG written atomically; for audio data also WAV files of the stages' sound
/// beside it (write_stage_audio). Returns the PNG written.
std::filesystem::path run_show(const ShowRequest& request);

/// The picture of `stages` (titled batches, the first one the input): images as a grid with one
/// row per stage and one column per sample; sequences of up to 4 features as curves (see
/// draw_sequence_stages); token ids as text (see draw_token_stages, which needs `vocabulary`,
/// the string of each id); tabular, points and other sequence inputs as one heat map per stage
/// (a row per sample, a column per value, blue below zero and red above, on the scale of the
/// input stage); spectrograms as heat maps (draw_spectrograms); each sample's target written
/// beside it. PNG bytes.
std::string draw_stages(const std::vector<std::pair<std::string, Batch>>& stages,
                        const InputInfo& input, const std::vector<std::string>& class_names,
                        std::int64_t samples, const std::vector<std::string>& vocabulary = {});

/// "Sneaker" for sample i's class id, "3:0.62 7:0.38" for the two largest entries of a soft row.
std::string target_text(const Batch& batch, std::int64_t i, const std::vector<std::string>& names);

}  // namespace dither
