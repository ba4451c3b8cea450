#include "train/study/compare_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "train/atomic_file.h"
#include "train/plot.h"
#include "train/run_folder.h"
#include "train/study/spread.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

// The table's columns in order: clean accuracy, the robustness columns, ECE, NLL, time.
std::vector<std::string> table_columns(const std::vector<std::string>& metrics) {
  std::vector<std::string> columns{"test_accuracy"};
  for (const std::string& m : metrics) {
    if (m.find("corruption_accuracy") != std::string::npos ||
        m.find("robust_") != std::string::npos)
      columns.push_back(m);
  }
  for (const char* m : {"test_ece", "test_loss", "train_seconds"}) columns.push_back(m);
  return columns;
}

// "pgd ε=0.1 (%)" for robust_pgd_0.1, with "suite: " before it for a prefixed column.
std::string heading(const std::string& column) {
  std::string prefix;
  std::string name = column;
  const auto dot = column.find('.');
  if (dot != std::string::npos && column.rfind("robust_", 0) != 0) {
    prefix = column.substr(0, dot) + ": ";
    name = column.substr(dot + 1);
  }
  if (name == "test_accuracy") return "clean acc (%)";
  if (name == "corruption_accuracy") return prefix + "corruption acc (%)";
  if (name == "test_ece") return "ECE";
  if (name == "test_loss") return "NLL";
  if (name == "train_seconds") return "time (s)";
  if (name.rfind("robust_", 0) == 0) {
    const std::string rest = name.substr(7);
    const auto underscore = rest.rfind('_');
    return prefix + rest.substr(0, underscore) + " ε=" + rest.substr(underscore + 1) + " (%)";
  }
  return prefix + name;
}

bool is_accuracy(const std::string& column) {
  return column.find("accuracy") != std::string::npos ||
         column.find("robust_") != std::string::npos;
}

std::string cell(const std::string& column, const Spread& s) {
  if (s.n == 0) return "-";
  const double scale = is_accuracy(column) ? 100.0 : 1.0;
  // Times span milliseconds (two moons) to minutes: three significant digits of the mean, and
  // the spread to the same decimals.
  int digits = is_accuracy(column) ? 2 : 4;
  if (column == "train_seconds") {
    const double magnitude = std::floor(std::log10(std::max(std::abs(s.mean), 1e-9)));
    digits = static_cast<int>(std::clamp(2.0 - magnitude, 0.0, 6.0));
  }
  const std::string format = "%." + std::to_string(digits) + "f";
  char mean[32];
  char std[32];
  std::snprintf(mean, sizeof mean, format.c_str(), scale * s.mean);
  std::snprintf(std, sizeof std, format.c_str(), scale * s.std);
  std::string text = mean;
  if (s.n > 1) text += std::string(" ± ") + std;
  return text;
}

struct VariantRow {
  PointGroup group;
  std::size_t finished = 0;
  std::vector<Spread> spreads;  ///< one per metric of `metrics`
};

std::string bar_script(const std::vector<VariantRow>& rows, std::size_t m,
                       const std::string& column) {
  const double scale = is_accuracy(column) ? 100.0 : 1.0;
  std::ostringstream s;
  s << "$d << EOD\n";
  for (const VariantRow& r : rows) {
    if (r.spreads[m].n == 0) continue;
    std::string name = r.group.name;
    for (char& c : name) c = c == '"' ? '\'' : c;
    s << '"' << name << "\" " << scale * r.spreads[m].mean << ' ' << scale * r.spreads[m].std
      << '\n';
  }
  s << "EOD\nset title '" << heading(column) << ", mean +- std over seeds'\n"
    << "set style fill solid 0.5 border -1\nset boxwidth 0.6\nset grid ytics\n"
    << "set xtics rotate by -30 noenhanced\nunset key\nset offsets 0.5, 0.5, graph 0.05, 0\n"
    << "set yrange [0:*]\nset rmargin 16\nset bmargin 7\n"  // bars from zero: a cut axis
                                                            // exaggerates

    << "plot $d using 0:2:3:xtic(1) with boxerrorbars lc rgb '#4477aa'\n";
  return s.str();
}

// The variants' spreads of every metric, and which row is the baseline.
struct Summary {
  std::vector<std::string> metrics;
  std::vector<VariantRow> rows;
  std::size_t base = 0;

  /// The position of metric `m` in `metrics`, metrics.size() when absent.
  std::size_t index_of(const std::string& m) const {
    return static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), m) - metrics.begin());
  }
};

Summary summarize(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes) {
  Summary sum;
  sum.metrics = metric_names(outcomes);
  if (sum.metrics.empty())
    sum.metrics = {"test_accuracy", "test_ece", "test_loss", "train_seconds"};
  const std::string baseline = plan.spec.at("baseline").get<std::string>();
  for (PointGroup& g : groups_of(plan)) {
    VariantRow row{std::move(g), 0, {}};
    for (const std::string& m : sum.metrics) {
      std::vector<double> values;
      for (std::size_t p : row.group.members) {
        if (outcomes[p].status == PointOutcome::Status::finished)
          values.push_back(outcomes[p].metric(m));
      }
      row.spreads.push_back(spread_of(values));
    }
    for (std::size_t p : row.group.members)
      row.finished += outcomes[p].status == PointOutcome::Status::finished;
    if (row.group.name == baseline) sum.base = sum.rows.size();
    sum.rows.push_back(std::move(row));
  }
  return sum;
}

std::string markdown_table(const Summary& sum, const std::vector<std::string>& columns) {
  std::ostringstream table;
  table << "| variant | seeds |";
  for (const std::string& c : columns) table << ' ' << heading(c) << " |";
  table << "\n|---|---|";
  for (std::size_t c = 0; c < columns.size(); ++c) table << "---|";
  table << '\n';
  for (std::size_t r = 0; r < sum.rows.size(); ++r) {
    const VariantRow& row = sum.rows[r];
    const bool named = row.group.name == "baseline";
    table << "| " << row.group.name << (r == sum.base && !named ? " (baseline)" : "") << " | "
          << row.finished << '/' << row.group.members.size() << " |";
    for (const std::string& c : columns) {
      const std::size_t m = sum.index_of(c);
      if (m == sum.metrics.size() || row.finished == 0) {
        table << (row.finished == 0 ? " failed |" : " - |");
        continue;
      }
      const std::optional<bool> near = within_noise(row.spreads[m], sum.rows[sum.base].spreads[m]);
      table << ' ' << cell(c, row.spreads[m]) << (r != sum.base && near && *near ? " ≈" : "")
            << " |";
    }
    table << '\n';
  }
  return table.str();
}

// One bar chart per column into out/plots/; returns report.md's list of links, and in
// `plot_error` why a plot was not drawn.
std::string plot_bars(const Summary& sum, const std::vector<std::string>& columns,
                      const fs::path& out, std::string& plot_error) {
  make_dir(out / "plots");
  std::string links;
  for (const std::string& c : columns) {
    const std::size_t m = sum.index_of(c);
    if (m == sum.metrics.size()) continue;
    const std::string file = "plots/" + sanitize_name(c) + ".png";
    const std::string error = run_gnuplot(bar_script(sum.rows, m, c), out / file, "1000,500");
    if (error.empty()) {
      links += "- [" + heading(c) + "](" + file + ")\n";
    } else if (plot_error.empty()) {
      plot_error = error;
    }
  }
  return links;
}

// report.json and report.csv: every metric of every variant, with the within-noise flag.
void write_machine_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                          const Summary& sum, const std::vector<std::string>& columns,
                          const fs::path& out) {
  nlohmann::json variants = nlohmann::json::array();
  std::ostringstream csv;
  csv << "variant,seeds,finished";
  for (const std::string& m : sum.metrics)
    csv << ',' << m << "_mean," << m << "_std," << m << "_within_noise";
  csv << '\n';
  for (std::size_t r = 0; r < sum.rows.size(); ++r) {
    const VariantRow& row = sum.rows[r];
    nlohmann::json j = {
        {"name", row.group.name}, {"seeds", row.group.members.size()}, {"finished", row.finished}};
    nlohmann::json failed = nlohmann::json::array();
    for (std::size_t p : row.group.members) {
      if (outcomes[p].status == PointOutcome::Status::failed)
        failed.push_back({{"point", plan.points[p].name}, {"error", outcomes[p].error}});
    }
    j["failed"] = failed;
    csv << csv_cell(row.group.name) << ',' << row.group.members.size() << ',' << row.finished;
    for (std::size_t m = 0; m < sum.metrics.size(); ++m) {
      const Spread& s = row.spreads[m];
      const nlohmann::json near = r == sum.base
                                      ? nlohmann::json(nullptr)
                                      : within_noise_json(s, sum.rows[sum.base].spreads[m]);
      j["metrics"][sum.metrics[m]] = {
          {"mean", std::isnan(s.mean) ? nlohmann::json(nullptr) : nlohmann::json(s.mean)},
          {"std", s.std},
          {"n", s.n},
          {"within_noise_of_baseline", near}};
      csv << ',' << csv_number(s.mean) << ',' << (s.n > 0 ? csv_number(s.std) : "") << ','
          << (near.is_null()     ? ""
              : near.get<bool>() ? "1"
                                 : "0");
    }
    csv << '\n';
    variants.push_back(j);
  }
  const nlohmann::json report = {
      {"description", plan.spec.value("description", std::string())},
      {"baseline", plan.spec.at("baseline")},
      {"seeds", plan.spec.at("seeds")},
      {"within_noise_rule",
       "|mean - baseline mean| < 2 * sqrt(std^2/n + std_baseline^2/n_baseline)"},
      {"columns", columns},
      {"variants", variants}};
  write_file_atomic(out / "report.json", report.dump(2) + "\n");
  write_file_atomic(out / "report.csv", csv.str());
}

}  // namespace

std::string write_compare_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                                 const fs::path& out) {
  const Summary sum = summarize(plan, outcomes);
  const std::vector<std::string> columns = table_columns(sum.metrics);
  const std::string table = markdown_table(sum, columns);
  std::ostringstream md;
  const std::string description = plan.spec.value("description", std::string());
  md << "# Comparison" << (description.empty() ? "" : ": " + description) << "\n\n"
     << table << "\nEach cell is the mean ± the standard deviation over the seeds that "
     << "finished (seeds column: finished/trained). ≈ marks a difference to the baseline within "
     << "noise: |mean - baseline mean| < 2 · sqrt(std²/n + std_baseline²/n_baseline) (two "
     << "standard errors of the difference; no mark is possible with one seed). Accuracies are on "
     << "the test split, of the best checkpoint by validation; NLL is the test cross-entropy; "
     << "time is the training time.\n";
  std::string failures;
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    if (outcomes[p].status == PointOutcome::Status::failed)
      failures += "- `" + plan.points[p].name + "`: " + outcomes[p].error + "\n";
  }
  if (!failures.empty()) md << "\n## Failed points\n\n" << failures;
  std::string plot_error;
  const std::string links = plot_bars(sum, columns, out, plot_error);
  md << "\n## Plots\n\n" << (links.empty() ? "none: " + plot_error + "\n" : links);
  write_file_atomic(out / "report.md", md.str());
  write_machine_report(plan, outcomes, sum, columns, out);

  std::string text = table + "results in " + out.string() +
                     "/ (report.md, report.json, report.csv" + (links.empty() ? "" : ", plots/") +
                     ")\n";
  if (!plot_error.empty()) text += "no plots: " + plot_error + "\n";
  return text;
}

}  // namespace dither
