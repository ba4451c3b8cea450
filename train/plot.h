#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace dither {

/// Draws training and validation loss and accuracy per epoch from a run's metrics.csv (of
/// `epochs` rows) into a PNG with gnuplot. Returns "" on success, else why no plot was drawn
/// (gnuplot missing or failed); a missing plot never fails a run.
std::string plot_training_curves(const std::filesystem::path& metrics_csv,
                                 const std::filesystem::path& png, const std::string& title,
                                 std::int64_t epochs);

/// Draws the last `columns` columns of a run's metrics.csv (the model's reports: learned noise
/// strengths such as model.3.pni_a) against the epoch into a PNG. Returns as plot_training_curves.
std::string plot_reports(const std::filesystem::path& metrics_csv, std::size_t columns,
                         const std::filesystem::path& png, const std::string& title);

/// gnuplot settings for an x axis of epochs 1..epochs: integer ticks, a sane range for one epoch,
/// and y ranges padded so that end points do not sit on the frame.
std::string epoch_axis(std::int64_t epochs);

/// Runs a gnuplot script (text is not "enhanced": '_' stays '_'); "" on success, else the
/// reason. The script's output goes to `png` through a temporary file, renamed when gnuplot
/// succeeded; `size` is the PNG's "width,height". SIGPIPE is ignored meanwhile, so a plotter that
/// dies early cannot kill the caller.
std::string run_gnuplot(const std::string& script, const std::filesystem::path& png,
                        const std::string& size = "1100,450");

}  // namespace dither
