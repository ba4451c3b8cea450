#include "train/study/compare_report.h"

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
  // Times span milliseconds (two moons) to minutes: three significant digits, not decimals.
  const char* format = is_accuracy(column) ? "%.2f" : column == "train_seconds" ? "%.3g" : "%.4f";
  char mean[32];
  char std[32];
  std::snprintf(mean, sizeof mean, format, scale * s.mean);
  std::snprintf(std, sizeof std, format, scale * s.std);
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
    << "plot $d using 0:2:3:xtic(1) with boxerrorbars lc rgb '#4477aa'\n";
  return s.str();
}

}  // namespace

std::string write_compare_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                                 const fs::path& out) {
  std::vector<std::string> metrics;
  for (const PointOutcome& o : outcomes) {
    if (o.status != PointOutcome::Status::finished) continue;
    for (const auto& [name, value] : o.metrics) metrics.push_back(name);
    break;
  }
  if (metrics.empty()) metrics = {"test_accuracy", "test_ece", "test_loss", "train_seconds"};
  const std::string baseline = plan.spec.at("baseline").get<std::string>();
  std::vector<VariantRow> rows;
  std::size_t base = 0;
  for (PointGroup& g : groups_of(plan)) {
    VariantRow row{std::move(g), 0, {}};
    for (const std::string& m : metrics) {
      std::vector<double> values;
      for (std::size_t p : row.group.members) {
        if (outcomes[p].status == PointOutcome::Status::finished)
          values.push_back(outcomes[p].metric(m));
      }
      row.spreads.push_back(spread_of(values));
    }
    for (std::size_t p : row.group.members)
      row.finished += outcomes[p].status == PointOutcome::Status::finished;
    if (row.group.name == baseline) base = rows.size();
    rows.push_back(std::move(row));
  }
  const auto index_of = [&](const std::string& m) {
    return static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), m) - metrics.begin());
  };
  const std::vector<std::string> columns = table_columns(metrics);

  // report.md: the table, the failures, the plots.
  std::ostringstream table;
  table << "| variant | seeds |";
  for (const std::string& c : columns) table << ' ' << heading(c) << " |";
  table << "\n|---|---|";
  for (std::size_t c = 0; c < columns.size(); ++c) table << "---|";
  table << '\n';
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const VariantRow& row = rows[r];
    const bool named = row.group.name == "baseline";
    table << "| " << row.group.name << (r == base && !named ? " (baseline)" : "") << " | "
          << row.finished << '/' << row.group.members.size() << " |";
    for (const std::string& c : columns) {
      const std::size_t m = index_of(c);
      if (m == metrics.size() || row.finished == 0) {
        table << (row.finished == 0 ? " failed |" : " - |");
        continue;
      }
      const std::optional<bool> near = within_noise(row.spreads[m], rows[base].spreads[m]);
      table << ' ' << cell(c, row.spreads[m]) << (r != base && near && *near ? " ≈" : "") << " |";
    }
    table << '\n';
  }
  std::ostringstream md;
  const std::string description = plan.spec.value("description", std::string());
  md << "# Comparison" << (description.empty() ? "" : ": " + description) << "\n\n"
     << table.str() << "\nEach cell is the mean ± the standard deviation over the seeds that "
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

  make_dir(out / "plots");
  std::string plot_error;
  std::string plots;
  for (const std::string& c : columns) {
    const std::size_t m = index_of(c);
    if (m == metrics.size()) continue;
    const std::string file = "plots/" + sanitize_name(c) + ".png";
    const std::string error = run_gnuplot(bar_script(rows, m, c), out / file, "900,450");
    if (error.empty()) {
      plots += "- [" + heading(c) + "](" + file + ")\n";
    } else if (plot_error.empty()) {
      plot_error = error;
    }
  }
  md << "\n## Plots\n\n" << (plots.empty() ? "none: " + plot_error + "\n" : plots);
  write_file_atomic(out / "report.md", md.str());

  // report.json and report.csv: every metric, with the within-noise flag.
  nlohmann::json variants = nlohmann::json::array();
  std::ostringstream csv;
  csv << "variant,seeds,finished";
  for (const std::string& m : metrics)
    csv << ',' << m << "_mean," << m << "_std," << m << "_within_noise";
  csv << '\n';
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const VariantRow& row = rows[r];
    nlohmann::json j = {
        {"name", row.group.name}, {"seeds", row.group.members.size()}, {"finished", row.finished}};
    nlohmann::json failed = nlohmann::json::array();
    for (std::size_t p : row.group.members) {
      if (outcomes[p].status == PointOutcome::Status::failed)
        failed.push_back({{"point", plan.points[p].name}, {"error", outcomes[p].error}});
    }
    j["failed"] = failed;
    csv << csv_cell(row.group.name) << ',' << row.group.members.size() << ',' << row.finished;
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      const Spread& s = row.spreads[m];
      const nlohmann::json near =
          r == base ? nlohmann::json(nullptr) : within_noise_json(s, rows[base].spreads[m]);
      j["metrics"][metrics[m]] = {
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
      {"description", description},
      {"baseline", baseline},
      {"seeds", plan.spec.at("seeds")},
      {"within_noise_rule",
       "|mean - baseline mean| < 2 * sqrt(std^2/n + std_baseline^2/n_baseline)"},
      {"columns", columns},
      {"variants", variants}};
  write_file_atomic(out / "report.json", report.dump(2) + "\n");
  write_file_atomic(out / "report.csv", csv.str());

  std::string text = table.str() + "results in " + out.string() +
                     "/ (report.md, report.json, report.csv" + (plots.empty() ? "" : ", plots/") +
                     ")\n";
  if (!plot_error.empty()) text += "no plots: " + plot_error + "\n";
  return text;
}

}  // namespace dither
