#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dither {

/// Training progress for a person: on a terminal a bar redrawn in place (epoch, batch, loss,
/// accuracy, samples/s, ETA); elsewhere (logs, CI) a plain line every few seconds; nothing when
/// quiet. Writes to stderr so stdout stays for results.
class Progress {
 public:
  enum class Style { bar, lines, quiet };
  static Style detect(bool quiet);  ///< bar when stderr is a terminal

  Progress(Style style, std::int64_t epochs, std::int64_t batches_per_epoch);
  void start_epoch(std::int64_t epoch);
  /// After each batch: running means of the epoch so far.
  void batch_done(std::int64_t batch, std::int64_t samples, double loss, double accuracy);
  /// A finished epoch's summary line (printed in every style but quiet).
  void epoch_done(const std::string& line);
  /// A message line that should not be overwritten by the bar.
  void note(const std::string& line);

 private:
  using Clock = std::chrono::steady_clock;
  void clear_bar();
  Style style_;
  std::int64_t epochs_;
  std::int64_t batches_;
  std::int64_t epoch_ = 0;
  std::int64_t samples_ = 0;
  Clock::time_point epoch_start_;
  Clock::time_point last_draw_;
  bool bar_visible_ = false;
};

/// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace dither
