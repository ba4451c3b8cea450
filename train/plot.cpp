#include "train/plot.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>

namespace dither {
namespace {

// Single quotes delimit gnuplot strings; a quote inside is doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string run_gnuplot(const std::string& script, const std::filesystem::path& png,
                        const std::string& size) {
  const std::filesystem::path tmp = png.string() + ".tmp-" + std::to_string(::getpid()) + ".png";
  FILE* pipe = ::popen("gnuplot >/dev/null 2>&1", "w");  // its warnings are not results
  if (pipe == nullptr) return "cannot start gnuplot";
  const std::string full = "set terminal pngcairo size " + size + " font 'Sans,10'\nset output " +
                           quoted(tmp.string()) + "\n" + script + "\nunset output\n";
  std::fwrite(full.data(), 1, full.size(), pipe);
  const int status = ::pclose(pipe);
  std::error_code ec;
  if (status != 0 || !std::filesystem::exists(tmp, ec)) {
    std::filesystem::remove(tmp, ec);
    return status == 127 * 256 || status == -1
               ? "gnuplot is not installed (apt-get install gnuplot-nox)"
               : "gnuplot failed";
  }
  std::filesystem::rename(tmp, png, ec);
  return ec ? "cannot move the plot into place: " + ec.message() : "";
}

std::string plot_training_curves(const std::filesystem::path& metrics_csv,
                                 const std::filesystem::path& png, const std::string& title) {
  std::ostringstream s;
  const std::string data = quoted(metrics_csv.string());
  s << "set datafile separator ','\n"
    << "set key autotitle columnhead\n"
    << "set multiplot layout 1,2 title " << quoted(title) << "\n"
    << "set grid\nset xlabel 'epoch'\nset key top right\n"
    << "set title 'loss'\n"
    << "plot " << data << " using 1:3 with linespoints lw 2 pt 7 title 'train', " << data
    << " using 1:5 with linespoints lw 2 pt 5 title 'validation'\n"
    << "set title 'accuracy (%)'\nset key bottom right\n"
    << "plot " << data << " using 1:($4*100) with linespoints lw 2 pt 7 title 'train', " << data
    << " using 1:($6*100) with linespoints lw 2 pt 5 title 'validation'\n"
    << "unset multiplot\n";
  return run_gnuplot(s.str(), png);
}

std::string plot_reports(const std::filesystem::path& metrics_csv, std::size_t columns,
                         const std::filesystem::path& png, const std::string& title) {
  constexpr std::size_t kFixedColumns = 7;  // epoch ... seconds
  std::ostringstream s;
  const std::string data = quoted(metrics_csv.string());
  s << "set datafile separator ','\n"
    << "set key autotitle columnhead noenhanced\nset key outside right\n"
    << "set title " << quoted(title + ": learned noise strengths") << " noenhanced\n"
    << "set grid\nset xlabel 'epoch'\nplot ";
  for (std::size_t k = 0; k < columns; ++k) {
    s << (k ? ", " : "") << data << " using 1:" << kFixedColumns + 1 + k
      << " with linespoints lw 2";
  }
  s << "\n";
  return run_gnuplot(s.str(), png);
}

}  // namespace dither
