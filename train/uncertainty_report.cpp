#include "train/uncertainty_report.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "train/ranking.h"

namespace dither {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
}

nlohmann::json scores_json(const ScoreValues& values) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t s = 0; s < kUncertaintyScores.size(); ++s)
    out[kUncertaintyScores[s]] = number_or_null(values[s]);
  return out;
}

std::string cell(double v, const char* format = "%8.4f") {
  if (std::isnan(v)) return "       -";
  char text[32];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

std::string padded(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::vector<double> uncertainty_scores(const Predictions& predictions, std::size_t which) {
  std::vector<double> out(static_cast<std::size_t>(predictions.size()));
  for (std::int64_t i = 0; i < predictions.size(); ++i) {
    out[static_cast<std::size_t>(i)] = which == kOneMinusMaxProbability
                                           ? 1.0 - predictions.max_probability(i)
                                       : which == kEntropy ? predictions.entropy(i)
                                                           : predictions.mutual_information(i);
  }
  return out;
}

UncertaintyRow uncertainty_row(std::string name, const Predictions& test, bool several_passes,
                               const Predictions* ood) {
  UncertaintyRow row;
  row.name = std::move(name);
  row.several_passes = several_passes;
  row.test = evaluation_of(test);
  const auto n = static_cast<double>(test.size());
  row.mean_mutual_information = several_passes ? 0.0 : kNaN;
  for (std::int64_t i = 0; i < test.size(); ++i) {
    row.mean_entropy += test.entropy(i) / n;
    if (several_passes) row.mean_mutual_information += test.mutual_information(i) / n;
  }
  row.has_ood = ood != nullptr;
  for (std::size_t s = 0; s < kUncertaintyScores.size(); ++s) {
    const bool meaningful = s != kMutualInformation || several_passes;
    const std::vector<double> scores = uncertainty_scores(test, s);
    std::vector<double> wrong, right;
    for (std::int64_t i = 0; i < test.size(); ++i)
      (test.correct(i) ? right : wrong).push_back(scores[static_cast<std::size_t>(i)]);
    row.misclassification_auroc[s] =
        meaningful && !wrong.empty() && !right.empty() ? auroc(wrong, right) : kNaN;
    row.ood_auroc[s] = row.ood_fpr95[s] = kNaN;
    if (ood && meaningful) {
      const std::vector<double> outside = uncertainty_scores(*ood, s);
      row.ood_auroc[s] = auroc(outside, scores);
      row.ood_fpr95[s] = fpr_at_tpr(outside, scores, 0.95);
    }
  }
  return row;
}

nlohmann::json to_json(const UncertaintyRow& row) {
  nlohmann::json out = {{"name", row.name},
                        {"accuracy", row.test.accuracy},
                        {"nll", row.test.loss},
                        {"ece", row.test.ece},
                        {"brier", row.test.brier},
                        {"count", row.test.count},
                        {"mean_entropy", row.mean_entropy},
                        {"mean_mutual_information", number_or_null(row.mean_mutual_information)},
                        {"misclassification_auroc", scores_json(row.misclassification_auroc)}};
  if (row.has_ood) {
    out["ood"] = {{"auroc", scores_json(row.ood_auroc)},
                  {"fpr_at_95_tpr", scores_json(row.ood_fpr95)}};
  }
  return out;
}

std::string uncertainty_table(const std::vector<UncertaintyRow>& rows) {
  std::size_t width = 10;
  for (const UncertaintyRow& r : rows) width = std::max(width, r.name.size() + 2);
  // The three score columns: a space and an 8-wide cell each.
  const auto scores = [](std::ostream& out, const ScoreValues& values) {
    for (double v : values) out << ' ' << cell(v);
  };
  std::ostringstream out;
  out << padded("predictor", width)
      << "     acc      NLL      ECE    Brier  entropy       MI | misclassified:   1-maxp  "
         "entropy       MI\n";
  for (const UncertaintyRow& r : rows) {
    out << padded(r.name, width) << cell(100.0 * r.test.accuracy, "%7.2f%%") << ' '
        << cell(r.test.loss) << ' ' << cell(r.test.ece) << ' ' << cell(r.test.brier) << ' '
        << cell(r.mean_entropy) << ' ' << cell(r.mean_mutual_information) << " | "
        << std::string(14, ' ');
    scores(out, r.misclassification_auroc);
    out << "\n";
  }
  if (rows.empty() || !rows.front().has_ood) return out.str();
  out << "\n"
      << padded("OOD detection", width)
      << "AUROC:   1-maxp  entropy       MI | FPR at 95% TPR:   1-maxp  entropy       MI\n";
  for (const UncertaintyRow& r : rows) {
    out << padded(r.name, width) << std::string(6, ' ');
    scores(out, r.ood_auroc);
    out << " | " << std::string(15, ' ');
    scores(out, r.ood_fpr95);
    out << "\n";
  }
  return out.str();
}

}  // namespace dither
