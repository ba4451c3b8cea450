#include "train/study/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/experiment.h"
#include "train/robustness.h"
#include "train/study/grid.h"
#include "train/study/spread.h"
#include "train/study/sweep_plots.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kBaseMetrics{"val_accuracy", "val_loss", "test_accuracy",
                                            "test_loss",    "test_ece", "train_seconds"};

// A swept value as JSON: what --set would make of it.
nlohmann::json value_json(const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

std::string sweep_csv(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                      const std::vector<std::string>& columns) {
  std::ostringstream csv;
  csv << "point,seed";
  for (const auto& [key, value] : plan.points.front().labels) csv << ',' << csv_cell(key);
  csv << ",status";
  for (const std::string& c : columns) csv << ',' << c;
  csv << ",error\n";
  for (std::size_t p = 0; p < plan.points.size(); ++p) {
    const StudyPoint& point = plan.points[p];
    const PointOutcome& o = outcomes[p];
    csv << csv_cell(point.name) << ',' << point.seed;
    for (const auto& [key, value] : point.labels) csv << ',' << csv_cell(value);
    csv << ',' << (o.status == PointOutcome::Status::finished ? "finished" : "failed");
    for (const std::string& c : columns) csv << ',' << csv_number(o.metric(c));
    csv << ',' << csv_cell(o.error) << '\n';
  }
  return csv.str();
}

nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

}  // namespace

nlohmann::ordered_json sweep_spec(const std::string& config_path,
                                  const std::vector<std::string>& grids, std::int64_t seeds,
                                  const std::string& robustness) {
  if (seeds < 1 || seeds > 1000)
    throw ConfigError(str("--seeds ", seeds, ": must be in [1, 1000]"));
  nlohmann::ordered_json spec;
  spec["kind"] = "sweep";
  spec["config"] = nlohmann::ordered_json::parse(read_config(config_path).dump());
  nlohmann::ordered_json axes = nlohmann::ordered_json::array();
  for (const std::string& text : grids) {
    const GridAxis axis = parse_grid(text);
    axes.push_back({{"key", axis.key}, {"values", axis.values}});
  }
  spec["grids"] = axes;
  spec["seeds"] = seeds;
  spec["robustness"] = nlohmann::ordered_json::object();
  if (!robustness.empty()) {
    RobustnessSuite::load(robustness);  // validates it, naming the file
    spec["robustness"][sanitize_name(fs::path(robustness).stem().string())] =
        nlohmann::ordered_json::parse(read_file(robustness), nullptr, true, true);
  }
  sweep_plan(spec);  // the grid's own errors (a key given twice) before any folder is made
  return spec;
}

StudyPlan sweep_plan(const nlohmann::ordered_json& spec) {
  StudyPlan plan;
  plan.kind = "sweep";
  plan.spec = spec;
  std::vector<GridAxis> axes;
  for (const auto& a : spec.at("grids"))
    axes.push_back(
        {a.at("key").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
  const auto& config = spec.at("config");
  const std::int64_t base_seed = config.contains("seed") && config.at("seed").is_number_integer()
                                     ? config.at("seed").get<std::int64_t>()
                                     : 42;
  plan.points = grid_points(axes, spec.at("seeds").get<std::int64_t>(), base_seed);
  for (const auto& [name, suite] : spec.at("robustness").items()) plan.suites.push_back(name);
  return plan;
}

void check_sweep_metric(const std::string& metric, bool with_suite) {
  for (const std::string& m : kBaseMetrics) {
    if (m == metric) return;
  }
  if (with_suite && (metric == "corruption_accuracy" || metric.rfind("robust_", 0) == 0)) return;
  std::string names;
  for (const std::string& m : kBaseMetrics) names += " " + m;
  throw ConfigError("--metric " + metric + ": not a column of sweep.csv; one of" + names +
                    (with_suite ? ", corruption_accuracy, robust_<attack>_<eps>"
                                : " (and with --robustness corruption_accuracy, "
                                  "robust_<attack>_<eps>)"));
}

namespace {

// One setting of the sweep with its spread over seeds of the picked metric.
struct Ranked {
  PointGroup group;
  Spread spread;
  std::size_t failed = 0;

  // A group with a failed seed cannot win on the seeds that happened to survive.
  bool eligible() const { return failed == 0 && spread.n > 0; }
};

// The sweep's settings, best first by `metric` (eligible ones before the others).
std::vector<Ranked> rank(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                         const std::string& metric) {
  std::vector<Ranked> ranked;
  for (PointGroup& g : groups_of(plan)) {
    Ranked r{std::move(g), {}, 0};
    std::vector<double> values;
    for (std::size_t p : r.group.members) {
      if (outcomes[p].status == PointOutcome::Status::finished) {
        values.push_back(outcomes[p].metric(metric));
      } else {
        ++r.failed;
      }
    }
    r.spread = spread_of(values);
    ranked.push_back(std::move(r));
  }
  const bool minimise = lower_is_better(metric);
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.eligible() != b.eligible()) return a.eligible();
    return minimise ? a.spread.mean < b.spread.mean : a.spread.mean > b.spread.mean;
  });
  return ranked;
}

nlohmann::json best_json(const StudyPlan& plan, const std::vector<Ranked>& ranked,
                         const std::string& metric) {
  nlohmann::json ranking = nlohmann::json::array();
  for (const Ranked& r : ranked) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [key, value] : r.group.labels) values[key] = value_json(value);
    nlohmann::json points = nlohmann::json::array();
    for (std::size_t p : r.group.members) points.push_back(plan.points[p].name);
    ranking.push_back({{"values", values},
                       {"mean", number_or_null(r.spread.mean)},
                       {"std", r.spread.std},
                       {"seeds", r.spread.n},
                       {"failed", r.failed},
                       {"eligible", r.eligible()},
                       {"within_noise_of_best", within_noise_json(r.spread, ranked.front().spread)},
                       {"points", points}});
  }
  const bool found = !ranked.empty() && ranked.front().eligible();
  return {{"metric", metric},
          {"goal", lower_is_better(metric) ? "min" : "max"},
          {"rule",
           "the group of seeds with the best mean; groups with a failed seed are not eligible; "
           "within_noise_of_best: |mean - best mean| < 2 * sqrt(std^2/n + std_best^2/n_best)"},
          {"best", found ? ranking.front() : nlohmann::json(nullptr)},
          {"ranking", ranking}};
}

}  // namespace

std::string write_sweep_report(const StudyPlan& plan, const std::vector<PointOutcome>& outcomes,
                               const fs::path& out, const std::string& metric) {
  std::vector<std::string> columns = metric_names(outcomes);
  if (columns.empty()) columns = kBaseMetrics;
  write_file_atomic(out / "sweep.csv", sweep_csv(plan, outcomes, columns));
  const std::vector<Ranked> ranked = rank(plan, outcomes, metric);
  write_file_atomic(out / "best.json", best_json(plan, ranked, metric).dump(2) + "\n");
  std::vector<std::string> plots;
  const std::string plot_error = plot_sweep(plan, outcomes, metric, columns, out, plots);

  std::ostringstream text;
  if (!ranked.empty() && ranked.front().eligible()) {
    const Ranked& b = ranked.front();
    char line[128];
    std::snprintf(line, sizeof line, "%.6g +- %.2g over %d seed%s", b.spread.mean, b.spread.std,
                  b.spread.n, b.spread.n == 1 ? "" : "s");
    text << "best by " << metric << " (" << (lower_is_better(metric) ? "lowest" : "highest")
         << " mean): " << b.group.name << ": " << line << "\n";
  } else {
    text << "best by " << metric << ": none (no group of seeds finished with a value)\n";
  }
  text << "results in " << out.string() << "/ (sweep.csv, best.json";
  for (const std::string& p : plots) text << ", " << p;
  text << ")\n";
  if (!plot_error.empty()) text << "no plots: " << plot_error << "\n";
  return text.str();
}

}  // namespace dither
