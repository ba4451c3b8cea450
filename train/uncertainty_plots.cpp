#include "train/uncertainty_plots.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "core/error.h"
#include "train/plot.h"

namespace dither {
namespace {

constexpr int kHistogramBins = 30;

// A datablock $name of "bin centre, fraction of `values` in the bin" over [low, high].
void histogram(std::ostream& s, const std::string& name, const std::vector<double>& values,
               double low, double high) {
  std::vector<double> fraction(kHistogramBins, 0.0);
  const double width = (high - low) / kHistogramBins;
  for (double v : values) {
    const auto bin = std::clamp(static_cast<int>((v - low) / width), 0, kHistogramBins - 1);
    fraction[static_cast<std::size_t>(bin)] += 1.0 / static_cast<double>(values.size());
  }
  s << "$" << name << " << EOD\n";
  for (int b = 0; b < kHistogramBins; ++b)
    s << low + (b + 0.5) * width << ' ' << fraction[static_cast<std::size_t>(b)] << "\n";
  s << "EOD\n";
}

}  // namespace

std::string plot_reliability_curves(const std::vector<UncertaintyRow>& rows,
                                    const std::filesystem::path& png) {
  if (rows.empty()) return "";
  std::ostringstream s;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    s << "$r" << r << " << EOD\n";
    for (const CalibrationBin& bin : rows[r].test.calibration) {
      if (bin.count > 0) s << bin.confidence << ' ' << bin.accuracy << "\n";
    }
    s << "EOD\n";
  }
  s << "set title 'reliability on the test set (" << rows.front().test.count
    << " samples)' noenhanced\nset grid\nset xrange [0:1]\nset yrange [0:1]\n"
    << "set xlabel 'mean confidence of the bin (top probability)'\nset ylabel 'accuracy of the "
       "bin'\nset key top left\nset size ratio -1\nplot x with lines dt 2 lc rgb '#444444' "
       "title 'perfect calibration'";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    s << ", $r" << r << " using 1:2 with linespoints lw 2 pt 7 title '" << rows[r].name << ", ECE "
      << std::fixed << std::setprecision(4) << rows[r].test.ece << std::defaultfloat
      << "' noenhanced";
  }
  s << "\n";
  return run_gnuplot(s.str(), png, "700,650");
}

std::string plot_ood_histograms(const Predictions& test, const Predictions& ood,
                                bool several_passes, const std::string& title,
                                const std::filesystem::path& png) {
  const std::size_t panels = several_passes ? 3 : 2;
  const char* labels[] = {"1 - max probability", "predictive entropy (nats)",
                          "mutual information (nats)"};
  std::ostringstream s;
  for (std::size_t k = 0; k < panels; ++k) {
    const std::vector<double> in = uncertainty_scores(test, k);
    const std::vector<double> out = uncertainty_scores(ood, k);
    const auto [lo_in, hi_in] = std::minmax_element(in.begin(), in.end());
    const auto [lo_out, hi_out] = std::minmax_element(out.begin(), out.end());
    const double low = std::min(*lo_in, *lo_out);
    const double high = std::max({*hi_in, *hi_out, low + 1e-6});
    histogram(s, str("in", k), in, low, high);
    histogram(s, str("out", k), out, low, high);
  }
  s << "set multiplot layout 1," << panels << " title '" << title
    << ": uncertainty of test (blue) and OOD (red) inputs' noenhanced\nset grid\n"
    << "set style fill transparent solid 0.45 noborder\nset ylabel 'fraction of the set'\n"
    << "set key top center\n";
  for (std::size_t k = 0; k < panels; ++k) {
    s << "set xlabel '" << labels[k] << "'\nplot $in" << k
      << " using 1:2 with boxes lc rgb '#1f77b4' title 'test', $out" << k
      << " using 1:2 with boxes lc rgb '#d62728' title 'OOD'\n";
  }
  s << "unset multiplot\n";
  return run_gnuplot(s.str(), png, str(420 * panels, ",420"));
}

}  // namespace dither
