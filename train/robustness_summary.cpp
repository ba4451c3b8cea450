#include "train/robustness_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace dither {
namespace {

// NaN as JSON null.
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

double ratio(double top, double bottom) {
  return bottom > 0.0 ? top / bottom : std::numeric_limits<double>::quiet_NaN();
}

const RobustnessRow& find_row(const std::vector<RobustnessRow>& rows, const RobustnessRow& like) {
  for (const RobustnessRow& r : rows) {
    if (r.kind == like.kind && r.name == like.name && r.strength == like.strength) return r;
  }
  throw Error(str("the baseline has no row for ", like.name, " at severity ", like.strength));
}

}  // namespace

CorruptionSummary summarize_corruptions(const std::vector<RobustnessRow>& rows,
                                        const std::vector<RobustnessRow>& baseline_rows,
                                        const std::string& baseline) {
  CorruptionSummary s;
  check(!rows.empty() && rows.front().kind == "clean", "summary: the clean row comes first");
  s.clean_accuracy = rows.front().result.accuracy;
  s.baseline = baseline;
  const bool compare = !baseline.empty();
  if (compare) {
    check(!baseline_rows.empty() && baseline_rows.front().kind == "clean",
          "summary: the baseline's clean row comes first");
    s.baseline_clean_accuracy = baseline_rows.front().result.accuracy;
  }
  struct Sums {
    double err = 0, base_err = 0, rel = 0, base_rel = 0, accuracy = 0, base_accuracy = 0;
  };
  std::vector<Sums> sums;
  double total = 0.0;
  double base_total = 0.0;
  for (const RobustnessRow& r : rows) {
    if (r.kind != "corruption") continue;
    auto it = std::find_if(s.corruptions.begin(), s.corruptions.end(),
                           [&](const CorruptionScore& c) { return c.name == r.name; });
    if (it == s.corruptions.end()) {
      s.corruptions.push_back({r.name});
      sums.emplace_back();
      it = s.corruptions.end() - 1;
    }
    Sums& sum = sums[static_cast<std::size_t>(it - s.corruptions.begin())];
    it->severities += 1;
    sum.accuracy += r.result.accuracy;
    sum.err += 1.0 - r.result.accuracy;
    sum.rel += s.clean_accuracy - r.result.accuracy;
    total += r.result.accuracy;
    s.conditions += 1;
    if (compare) {
      const double base = find_row(baseline_rows, r).result.accuracy;
      sum.base_err += 1.0 - base;
      sum.base_rel += s.baseline_clean_accuracy - base;
      base_total += base;
    }
  }
  if (s.conditions == 0) return s;
  s.mean_accuracy = total / static_cast<double>(s.conditions);
  if (compare) s.baseline_mean_accuracy = base_total / static_cast<double>(s.conditions);
  double ce = 0.0;
  double relative = 0.0;
  std::int64_t ce_count = 0;
  std::int64_t relative_count = 0;
  for (std::size_t c = 0; c < s.corruptions.size(); ++c) {
    CorruptionScore& score = s.corruptions[c];
    score.accuracy = sums[c].accuracy / static_cast<double>(score.severities);
    if (!compare) continue;
    score.ce = 100.0 * ratio(sums[c].err, sums[c].base_err);
    score.relative_ce = 100.0 * ratio(sums[c].rel, sums[c].base_rel);
    if (std::isfinite(score.ce)) ce += score.ce, ++ce_count;
    if (std::isfinite(score.relative_ce)) relative += score.relative_ce, ++relative_count;
  }
  if (ce_count > 0) s.mce = ce / static_cast<double>(ce_count);
  if (relative_count > 0) s.relative_mce = relative / static_cast<double>(relative_count);
  return s;
}

nlohmann::json CorruptionSummary::to_json() const {
  nlohmann::json per = nlohmann::json::object();
  for (const CorruptionScore& c : corruptions) {
    per[c.name] = {{"accuracy", c.accuracy},
                   {"severities", c.severities},
                   {"ce", number_or_null(c.ce)},
                   {"relative_ce", number_or_null(c.relative_ce)}};
  }
  nlohmann::json j = {{"clean_accuracy", clean_accuracy},
                      {"mean_corruption_accuracy", number_or_null(mean_accuracy)},
                      {"corruption_conditions", conditions},
                      {"corruptions", per}};
  if (!baseline.empty()) {
    j["baseline"] = {{"run", baseline},
                     {"clean_accuracy", number_or_null(baseline_clean_accuracy)},
                     {"mean_corruption_accuracy", number_or_null(baseline_mean_accuracy)}};
    j["mce"] = number_or_null(mce);
    j["relative_mce"] = number_or_null(relative_mce);
  }
  return j;
}

std::vector<std::string> CorruptionSummary::undefined() const {
  std::vector<std::string> notes;
  if (baseline.empty()) return notes;
  for (const CorruptionScore& c : corruptions) {
    if (!std::isfinite(c.ce)) {
      notes.push_back(c.name +
                      ": the baseline makes no error under it, so its CE is undefined "
                      "and left out of mCE");
    } else if (!std::isfinite(c.relative_ce)) {
      notes.push_back(c.name +
                      ": it costs the baseline no accuracy, so its relative CE is "
                      "undefined and left out of the relative mCE");
    }
  }
  return notes;
}

std::string CorruptionSummary::to_text() const {
  if (conditions == 0) return "";
  char line[256];
  std::snprintf(line, sizeof line,
                "mean corruption accuracy %.2f%% over %lld conditions (clean %.2f%%)\n",
                100.0 * mean_accuracy, static_cast<long long>(conditions), 100.0 * clean_accuracy);
  std::string text = line;
  if (!baseline.empty()) {
    std::snprintf(line, sizeof line,
                  "mCE %.1f, relative mCE %.1f against %s (its mean corruption accuracy %.2f%%, "
                  "clean %.2f%%; 100 is as robust as the baseline, lower is better)\n",
                  mce, relative_mce, baseline.c_str(), 100.0 * baseline_mean_accuracy,
                  100.0 * baseline_clean_accuracy);
    text += line;
  }
  return text;
}

}  // namespace dither
