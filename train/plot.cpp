#include "train/plot.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "train/atomic_file.h"

namespace dither {
namespace {

// Single quotes delimit gnuplot strings; a quote inside is doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Whether an executable `name` is on PATH.
bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path == nullptr ? "" : path);
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::string candidate = (folder.empty() ? "." : folder) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Ignores SIGPIPE while alive: a plotter that dies early must not take the run with it.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &previous_);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &previous_, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace

std::string run_gnuplot(const std::string& script, const std::filesystem::path& png,
                        const std::string& size) {
  if (!on_path("gnuplot")) return "gnuplot is not installed (apt-get install gnuplot-nox)";
  const std::filesystem::path tmp = temporary_path(png).string() + ".png";
  const IgnoreSigpipe ignore_sigpipe;
  FILE* pipe = ::popen("gnuplot >/dev/null 2>&1", "w");  // its warnings are not results
  if (pipe == nullptr) return "cannot start gnuplot";
  // noenhanced: titles are file names, where '_' and '^' are characters, not sub/superscripts.
  const std::string full = "set terminal pngcairo noenhanced size " + size +
                           " font 'Sans,10'\nset output " + quoted(tmp.string()) + "\n" + script +
                           "\nunset output\n";
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

std::string epoch_axis(std::int64_t epochs) {
  const std::int64_t n = std::max<std::int64_t>(epochs, 1);
  // Half an epoch of margin each side for short runs (one epoch gets [0.5, 1.5], not a
  // degenerate range), a few percent for long ones; whole-epoch ticks while they fit.
  const double pad = std::max(0.5, 0.03 * static_cast<double>(n - 1));
  std::ostringstream s;
  s << "set xrange [" << 1.0 - pad << ":" << static_cast<double>(n) + pad << "]\n";
  if (n <= 12) s << "set xtics 1\n";
  s << "set format x '%.0f'\n"
    << "set offsets 0, 0, graph 0.08, graph 0.08\n";  // end points off the frame
  return s.str();
}

std::string plot_training_curves(const std::filesystem::path& metrics_csv,
                                 const std::filesystem::path& png, const std::string& title,
                                 std::int64_t epochs) {
  std::ostringstream s;
  const std::string data = quoted(metrics_csv.string());
  s << "set datafile separator ','\n"
    << "set key autotitle columnhead\n"
    << "set multiplot layout 1,2 title " << quoted(title) << "\n"
    << "set grid\nset xlabel 'epoch'\nset key top right\n"
    << epoch_axis(epochs) << "set title 'loss'\n"
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
