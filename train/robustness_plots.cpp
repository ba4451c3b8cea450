#include "train/robustness_plots.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "train/plot.h"

namespace dither {
namespace {

// The distinct names of `kind` rows, in order of appearance.
std::vector<std::string> names_of(const std::vector<RobustnessRow>& rows, const std::string& kind) {
  std::vector<std::string> names;
  for (const RobustnessRow& r : rows) {
    if (r.kind != kind) continue;
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
  }
  return names;
}

// A datablock $name: "strength accuracy%" lines, the clean accuracy at 0 first.
void datablock(std::ostream& s, const std::string& block, const std::vector<RobustnessRow>& rows,
               const std::string& name) {
  s << "$" << block << " << EOD\n0 " << 100.0 * rows.front().result.accuracy << "\n";
  for (const RobustnessRow& r : rows) {
    if (r.kind != "clean" && r.name == name)
      s << r.strength << ' ' << 100.0 * r.result.accuracy << "\n";
  }
  s << "EOD\n";
}

}  // namespace

std::string plot_attacks(const RobustnessReport& report, const std::filesystem::path& png) {
  const std::vector<std::string> names = names_of(report.rows, "attack");
  if (names.empty()) return "";
  std::ostringstream s;
  for (std::size_t i = 0; i < names.size(); ++i) datablock(s, str("d", i), report.rows, names[i]);
  s << "set title 'accuracy under attack' noenhanced\nset grid\nset xlabel 'eps'\n"
    << "set ylabel 'test accuracy (%)'\nset yrange [0:105]\nset key top right\nplot ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    s << (i ? ", " : "") << "$d" << i << " using 1:2 with linespoints lw 2 pt 7 title '" << names[i]
      << "' noenhanced";
  }
  s << "\n";
  return run_gnuplot(s.str(), png);
}

std::string plot_corruptions(const RobustnessReport& report, const std::filesystem::path& png) {
  const std::vector<std::string> names = names_of(report.rows, "corruption");
  if (names.empty()) return "";
  const bool baseline = !report.baseline_rows.empty();
  const auto n = static_cast<int>(names.size());
  const int columns = std::min(n, 5);
  const int lines = (n + columns - 1) / columns;
  std::ostringstream s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    datablock(s, str("m", i), report.rows, names[i]);
    if (baseline) datablock(s, str("b", i), report.baseline_rows, names[i]);
  }
  s << "set multiplot layout " << lines << "," << columns
    << " title 'test accuracy (%) against severity (0: clean)"
    << (baseline ? "; grey: baseline" : "")
    << "' noenhanced\nset grid\nset yrange [0:100]\nset xrange [-0.2:5.2]\nset xtics 1\nunset "
       "key\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    s << "set title '" << names[i] << "' noenhanced\nplot $m" << i
      << " using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4'";
    if (baseline) s << ", $b" << i << " using 1:2 with linespoints lw 1 pt 6 lc rgb '#888888'";
    s << "\n";
  }
  s << "unset multiplot\n";
  return run_gnuplot(s.str(), png, str(260 * columns, ",", 220 * lines + 40));
}

std::string plot_reliability(const Evaluation& clean, const std::filesystem::path& png) {
  if (clean.calibration.empty()) return "";
  const double width = 1.0 / static_cast<double>(clean.calibration.size());
  std::ostringstream s;
  s << "$bins << EOD\n";
  for (std::size_t b = 0; b < clean.calibration.size(); ++b) {
    const CalibrationBin& bin = clean.calibration[b];
    // centre, accuracy, mean confidence, count (empty bins drawn as nothing)
    s << (static_cast<double>(b) + 0.5) * width << ' '
      << (bin.count ? str(bin.accuracy) : std::string("NaN")) << ' '
      << (bin.count ? str(bin.confidence) : std::string("NaN")) << ' ' << bin.count << "\n";
  }
  s << "EOD\n"
    << "set multiplot layout 1,2 title 'reliability of the clean test set (" << clean.count
    << " samples, ECE " << std::fixed << std::setprecision(4) << clean.ece << std::defaultfloat
    << ")' noenhanced\n"
    << "set grid\nset xrange [0:1]\nset xlabel 'confidence (top probability)'\n"
    << "set style fill solid 0.6 border -1\nset boxwidth " << 0.9 * width << "\n"
    << "set title 'accuracy per confidence bin'\nset yrange [0:1]\nset ylabel 'accuracy'\n"
    << "set key top left\nplot $bins using 1:2 with boxes lc rgb '#1f77b4' title 'accuracy', "
    << "$bins using 3:2 with points pt 7 lc rgb '#d62728' title 'at mean confidence', "
    << "x with lines dt 2 lc rgb '#444444' title 'perfect calibration'\n"
    << "set title 'samples per bin'\nset yrange [0.8:*]\nset logscale y\nset ylabel 'count'\n"
    << "plot $bins using 1:($4 > 0 ? $4 : NaN) with boxes lc rgb '#888888' notitle\n"
    << "unset multiplot\n";
  return run_gnuplot(s.str(), png);
}

}  // namespace dither
