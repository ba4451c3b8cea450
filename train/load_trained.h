#pragma once

#include <filesystem>

#include "train/experiment.h"

namespace dither {

/// The experiment of a run folder's best (else last) checkpoint, or of a checkpoint file, with
/// its weights restored; `file` is set to the checkpoint read. ConfigError when the checkpoint
/// holds no config.
Experiment load_trained(const std::filesystem::path& target, std::filesystem::path& file);

}  // namespace dither
