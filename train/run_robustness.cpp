#include "train/run_robustness.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "train/atomic_file.h"
#include "train/load_trained.h"
#include "train/plot.h"
#include "train/run_folder.h"

namespace dither {

namespace fs = std::filesystem;

RobustnessReport run_robustness(const fs::path& target, const fs::path& suite_file,
                                const std::optional<fs::path>& out_dir, std::string& plot_error,
                                const std::optional<fs::path>& baseline) {
  const RobustnessSuite suite = RobustnessSuite::load(suite_file);
  fs::path file;
  Experiment e = load_trained(target, file);
  const FeatureStats features = training_feature_stats(e, suite);
  RobustnessReport report =
      measure_robustness(*e.model, e.data.test, e.input, suite, eval_options(e), &features);
  const std::string base = baseline ? baseline->string() : suite.baseline;
  if (!base.empty()) {  // the baseline sees the same corrupted images; attacks are not compared
    fs::path base_file;
    Experiment b = load_trained(base, base_file);
    RobustnessSuite corruptions = suite;
    corruptions.attacks.clear();
    compare_to_baseline(
        report,
        measure_robustness(*b.model, b.data.test, b.input, corruptions, eval_options(b), &features),
        base);
  }
  const fs::path dir = out_dir ? *out_dir : file.parent_path();
  make_dir(dir);
  plot_error = write_robustness(
      report,
      {{"checkpoint", file.string()},
       {"suite", suite_file.string()},
       {"description", suite.description},
       {"model_mode", "eval: dropout and other noise layers off, BatchNorm's running statistics"}},
      dir);
  return report;
}

nlohmann::json run_certify(const fs::path& target, CertifyOptions options,
                           const std::optional<fs::path>& out_dir, std::string& plot_error) {
  fs::path file;
  Experiment e = load_trained(target, file);
  options.seed = e.seed;
  const std::vector<Certificate> certificates = certify_dataset(*e.model, e.data.test, options);
  const std::vector<double> radii{0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0};
  nlohmann::json summary = certification_summary(certificates, radii);
  summary["checkpoint"] = file.string();
  summary["options"] = {{"sigma", options.sigma}, {"n0", options.n0},
                        {"n", options.n},         {"alpha", options.alpha},
                        {"limit", options.limit}, {"batch", options.batch}};
  const fs::path dir = out_dir ? *out_dir : file.parent_path();
  make_dir(dir);
  std::ostringstream csv;
  csv.precision(10);
  csv << "index,label,predicted,count,p_lower,radius,correct\n";
  for (const Certificate& c : certificates) {
    csv << c.index << ',' << c.label << ',' << c.predicted << ',' << c.count << ',' << c.p_lower
        << ',' << c.radius << ',' << (c.correct() ? 1 : 0) << '\n';
  }
  write_file_atomic(dir / "certify.csv", csv.str());
  write_file_atomic(dir / "certify.json", summary.dump(2) + "\n");
  // Certified accuracy against radius: a step curve over the sorted radii of correct samples.
  std::vector<double> correct_radii;
  for (const Certificate& c : certificates) {
    if (c.correct()) correct_radii.push_back(c.radius);
  }
  std::sort(correct_radii.begin(), correct_radii.end());
  std::ostringstream plot;
  const double n = static_cast<double>(std::max<std::size_t>(certificates.size(), 1));
  plot << "$d << EOD\n0 " << 100.0 * static_cast<double>(correct_radii.size()) / n << "\n";
  for (std::size_t i = 0; i < correct_radii.size(); ++i) {
    plot << correct_radii[i] << ' ' << 100.0 * static_cast<double>(correct_radii.size() - i - 1) / n
         << "\n";
  }
  plot << "EOD\nset title 'certified accuracy, sigma " << options.sigma << "' noenhanced\n"
       << "set grid\nset xlabel 'l2 radius'\nset ylabel 'certified test accuracy (%)'\n"
       << "set yrange [0:105]\nplot $d using 1:2 with steps lw 2 title 'smoothed model'\n";
  plot_error = run_gnuplot(plot.str(), dir / "certify.png");
  return summary;
}

}  // namespace dither
