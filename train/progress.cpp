#include "train/progress.h"

#include <unistd.h>

#include <cmath>
#include <sstream>

namespace dither {

std::string format_duration(double seconds) {
  const auto total = static_cast<long>(std::lround(std::max(0.0, seconds)));
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                  total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", total / 60, total % 60);
  }
  return buffer;
}

Progress::Style Progress::detect(bool quiet) {
  if (quiet) return Style::quiet;
  return ::isatty(STDERR_FILENO) ? Style::bar : Style::lines;
}

Progress::Progress(Style style, std::int64_t epochs, std::int64_t batches_per_epoch)
    : style_(style), epochs_(epochs), batches_(batches_per_epoch) {}

void Progress::start_epoch(std::int64_t epoch) {
  epoch_ = epoch;
  samples_ = 0;
  epoch_start_ = last_draw_ = Clock::now();
}

void Progress::batch_done(std::int64_t batch, std::int64_t samples, double loss, double accuracy) {
  samples_ += samples;
  if (style_ == Style::quiet) return;
  const auto now = Clock::now();
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  const bool last = batch + 1 == batches_;
  if (since_draw < (style_ == Style::bar ? 0.1 : 10.0) && !last) return;
  if (style_ == Style::lines && last) return;  // the epoch line follows at once
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(samples_) / elapsed : 0.0;
  const double eta =
      elapsed / static_cast<double>(batch + 1) * static_cast<double>(batches_ - batch - 1);
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(4);
  text << "epoch " << epoch_ + 1 << "/" << epochs_ << " ";
  if (style_ == Style::bar) {
    constexpr int kWidth = 24;
    const auto filled =
        static_cast<int>(kWidth * (batch + 1) / std::max<std::int64_t>(batches_, 1));
    text << '[' << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] ";
  }
  text << "batch " << batch + 1 << "/" << batches_ << "  loss " << loss;
  text.precision(1);
  text << "  acc " << 100.0 * accuracy << "%  " << static_cast<long>(rate) << " samples/s  ETA "
       << format_duration(eta);
  if (style_ == Style::bar) {
    std::fprintf(stderr, "\r\033[K%s", text.str().c_str());
    bar_visible_ = true;
  } else {
    std::fprintf(stderr, "%s\n", text.str().c_str());
  }
  std::fflush(stderr);
}

void Progress::clear_bar() {
  if (bar_visible_) std::fprintf(stderr, "\r\033[K");
  bar_visible_ = false;
}

void Progress::epoch_done(const std::string& line) { note(line); }

void Progress::note(const std::string& line) {
  if (style_ == Style::quiet) return;
  clear_bar();
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

}  // namespace dither
