#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "train/predictions.h"
#include "train/uncertainty_report.h"

namespace dither {

// The plots of dither eval's uncertainty report, drawn by gnuplot (train/plot.h). Each returns
// "" when the PNG was written, else why it was not.

/// The reliability diagram of every row on one chart: accuracy against mean confidence per
/// confidence bin (one line per predictor, its ECE in the key) beside the diagonal of perfect
/// calibration, so the effect of temperature scaling, MC sampling or an ensemble is visible.
std::string plot_reliability_curves(const std::vector<UncertaintyRow>& rows,
                                    const std::filesystem::path& png);

/// Histograms of each uncertainty score (1 - max probability, entropy and, when
/// `several_passes`, mutual information) on the test set against the OOD set, each normalised to
/// a fraction of its set, one panel per score.
std::string plot_ood_histograms(const Predictions& test, const Predictions& ood,
                                bool several_passes, const std::string& title,
                                const std::filesystem::path& png);

}  // namespace dither
