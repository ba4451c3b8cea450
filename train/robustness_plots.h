#pragma once

#include <filesystem>
#include <string>

#include "train/robustness.h"

namespace dither {

// The plots of a robustness report, drawn by gnuplot (train/plot.h). Each returns "" when the
// PNG was written or there is nothing to draw, else why it was not.

/// Accuracy against eps, one line per attack, the clean accuracy at eps 0.
std::string plot_attacks(const RobustnessReport& report, const std::filesystem::path& png);

/// Accuracy against severity (0 is clean), one small panel per corruption, with the baseline's
/// line when there is one.
std::string plot_corruptions(const RobustnessReport& report, const std::filesystem::path& png);

/// The reliability diagram of one evaluation: accuracy against mean confidence per confidence
/// bin beside the diagonal of perfect calibration, and the count in each bin.
std::string plot_reliability(const Evaluation& clean, const std::filesystem::path& png);

}  // namespace dither
