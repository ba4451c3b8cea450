#include "train/study/points.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/interrupt.h"
#include "train/run.h"
#include "train/run_folder.h"
#include "train/run_robustness.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json read_json(const fs::path& file) {
  try {
    return nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(file.string() + ": not valid JSON (" + e.what() + ")");
  }
}

double number_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : kNaN; }

fs::path robustness_file(const fs::path& dir, const std::string& suite) {
  return dir / "robustness" / suite / "robustness.json";
}

// val_loss and val_accuracy of metrics.csv's row for `epoch` (NaN when absent).
std::pair<double, double> validation_at(const fs::path& csv, std::int64_t epoch) {
  std::istringstream text(read_file(csv));
  std::string line;
  std::getline(text, line);  // epoch,lr,train_loss,train_accuracy,val_loss,val_accuracy,...
  while (std::getline(text, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() < 6 || std::strtoll(cells[0].c_str(), nullptr, 10) != epoch) continue;
    return {std::strtod(cells[4].c_str(), nullptr), std::strtod(cells[5].c_str(), nullptr)};
  }
  return {kNaN, kNaN};
}

std::vector<std::pair<std::string, double>> point_metrics(const fs::path& dir,
                                                          const std::vector<std::string>& suites) {
  const nlohmann::json summary = read_json(dir / "summary.json");
  const nlohmann::json& test = summary.at("test");
  const std::int64_t best_epoch = summary.at("best").value("epoch", std::int64_t{0});
  const auto [val_loss, val_accuracy] = validation_at(dir / "metrics.csv", best_epoch);
  std::vector<std::pair<std::string, double>> metrics{
      {"val_accuracy", val_accuracy},
      {"val_loss", val_loss},
      {"test_accuracy", number_or_nan(test.at("accuracy"))},
      {"test_loss", number_or_nan(test.at("loss"))},
      {"test_ece", number_or_nan(test.at("ece"))},
      {"train_seconds", number_or_nan(summary.at("train").at("seconds"))}};
  for (const std::string& suite : suites) {
    const nlohmann::json r = read_json(robustness_file(dir, suite));
    const std::string prefix = suites.size() > 1 ? suite + "." : "";
    const nlohmann::json& mean = r.at("summary").at("mean_corruption_accuracy");
    if (!mean.is_null()) metrics.emplace_back(prefix + "corruption_accuracy", mean.get<double>());
    for (const auto& [attack, by_eps] : r.at("robust_accuracy").items()) {
      for (const auto& [eps, accuracy] : by_eps.items())
        metrics.emplace_back(prefix + "robust_" + attack + "_" + eps, number_or_nan(accuracy));
    }
  }
  return metrics;
}

bool finished(const fs::path& dir, const std::vector<std::string>& suites) {
  if (!fs::exists(dir / "summary.json")) return false;
  for (const std::string& suite : suites) {
    if (!fs::exists(robustness_file(dir, suite))) return false;
  }
  return true;
}

void record_failure(const fs::path& dir, PointOutcome& outcome, const std::string& error,
                    bool bad_input) {
  outcome.status = PointOutcome::Status::failed;
  outcome.error = error;
  outcome.bad_input = bad_input;
  write_file_atomic(dir / "failed.json",
                    nlohmann::json{{"error", error}, {"bad_input", bad_input}}.dump(2) + "\n");
}

void train_and_measure(const fs::path& study_dir, const fs::path& dir, const StudyPoint& point,
                       const std::vector<std::string>& suites) {
  if (!fs::exists(dir / "summary.json")) {
    TrainRequest request;
    request.quiet = true;
    if (fs::exists(dir / "last.ckpt") || fs::exists(dir / "config.json")) {
      request.resume_dir = dir;
    } else {
      request.config_path = (study_dir / "base.json").string();
      request.overrides = point.overrides;
      request.out_dir = dir;
    }
    run_training(request);
  }
  for (const std::string& suite : suites) {
    if (fs::exists(robustness_file(dir, suite))) continue;
    std::string plot_error;  // a missing plot never fails a point
    run_robustness(dir, study_dir / "suites" / (suite + ".json"), dir / "robustness" / suite,
                   plot_error);
  }
}

}  // namespace

double PointOutcome::metric(const std::string& name) const {
  for (const auto& [key, value] : metrics) {
    if (key == name) return value;
  }
  return kNaN;
}

std::vector<std::string> metric_names(const std::vector<PointOutcome>& outcomes) {
  std::vector<std::string> names;
  for (const PointOutcome& o : outcomes) {
    if (o.status != PointOutcome::Status::finished) continue;
    for (const auto& [name, value] : o.metrics) names.push_back(name);
    break;
  }
  return names;
}

fs::path point_dir(const fs::path& study_dir, const StudyPoint& point) {
  return study_dir / "points" / point.name;
}

PointOutcome read_point(const fs::path& dir, const StudyPoint& point,
                        const std::vector<std::string>& suites) {
  PointOutcome outcome;
  outcome.dir = dir;
  if (fs::exists(dir / "point.json") && read_json(dir / "point.json") != point.to_json()) {
    throw ConfigError(dir.string() + ": point.json names another point than " + point.name);
  }
  if (finished(dir, suites)) {
    outcome.status = PointOutcome::Status::finished;
    outcome.metrics = point_metrics(dir, suites);
  } else if (fs::exists(dir / "failed.json")) {
    const nlohmann::json failed = read_json(dir / "failed.json");
    outcome.status = PointOutcome::Status::failed;
    outcome.error = failed.value("error", std::string("failed"));
    outcome.bad_input = failed.value("bad_input", false);
  }
  return outcome;
}

PointOutcome run_point(const fs::path& study_dir, const StudyPoint& point,
                       const std::vector<std::string>& suites) {
  const fs::path dir = point_dir(study_dir, point);
  PointOutcome outcome = read_point(dir, point, suites);
  if (outcome.status == PointOutcome::Status::finished) return outcome;
  // A failure is tried again: it may have come from outside (a full disk, a kill).
  outcome = PointOutcome{};
  outcome.dir = dir;
  outcome.trained = true;
  make_dir(dir);
  fs::remove(dir / "failed.json");
  write_file_atomic(dir / "point.json", point.to_json().dump(2) + "\n");
  try {
    train_and_measure(study_dir, dir, point, suites);
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    const bool bad_input = dynamic_cast<const ConfigError*>(&e) != nullptr ||
                           dynamic_cast<const ShapeError*>(&e) != nullptr;
    record_failure(dir, outcome, e.what(), bad_input);
    return outcome;
  }
  outcome.status = PointOutcome::Status::finished;
  outcome.metrics = point_metrics(dir, suites);
  return outcome;
}

}  // namespace dither
