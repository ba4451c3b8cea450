#include "train/robustness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "augment/attack.h"
#include "augment/gaussian.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "train/atomic_file.h"
#include "train/corruptions/catalog.h"
#include "train/experiment.h"
#include "train/robustness_plots.h"

namespace dither {
namespace {

struct AttackDefaults {
  AttackSpec spec;
  double alpha_per_eps;  ///< divided by the step count
};

AttackDefaults attack_defaults(const std::string& type) {
  AttackDefaults d;
  if (type == "pgd") {
    d.spec.steps = 20;
    d.spec.random_start = true;
    d.alpha_per_eps = 2.5;
  } else {
    d.alpha_per_eps = 1.0;
  }
  return d;
}

// The attack of `entry` at `eps`, read as its hook would read it.
AttackSpec attack_at(const SuiteAttack& entry, double eps, const std::string& path) {
  const AttackDefaults d = attack_defaults(entry.type);
  const JsonReader r(entry.spec, path);
  const std::int64_t steps = r.integer("steps", d.spec.steps, 1, 100'000);
  return AttackSpec::read(r, eps, d.spec, d.alpha_per_eps / static_cast<double>(steps));
}

std::string format_eps(double eps) {
  std::ostringstream s;
  s << eps;
  return s.str();
}

const std::vector<std::string> kFills = {"training", "zero", "mean", "marginal"};

std::vector<std::string> corruption_types() {
  std::vector<std::string> names;
  for (const Corruption& c : corruption_catalog()) names.push_back(c.name);
  return names;
}

SuiteCorruption read_corruption(const nlohmann::json& j, const std::string& at) {
  JsonReader c(j, at);
  c.allow_only({"type", "severities", "fill"});
  SuiteCorruption entry;
  entry.type = c.string("type", std::nullopt, corruption_types());
  if (c.has("fill") && entry.type != "missing_features")
    throw ConfigError(c.path_of("fill") + ": only missing_features fills in values");
  entry.fill = c.string("fill", "training", kFills);
  const std::vector<std::int64_t> severities =
      c.integers("severities", std::vector<std::int64_t>{1, 2, 3, 4, 5}, 0, 1);
  for (std::size_t k = 0; k < severities.size(); ++k) {
    if (severities[k] > kMaxSeverity) {
      throw ConfigError(str(index_path(c.path_of("severities"), k), ": severity ", severities[k],
                            " is not in 1..", kMaxSeverity));
    }
    entry.severities.push_back(static_cast<int>(severities[k]));
  }
  if (entry.severities.empty())
    throw ConfigError(c.path_of("severities") + ": must list at least one severity in 1..5");
  return entry;
}

nlohmann::json rows_json(const std::vector<RobustnessRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const RobustnessRow& r : rows) {
    list.push_back({{"kind", r.kind},
                    {"name", r.name},
                    {"strength", r.strength},
                    {"count", r.result.count},
                    {"accuracy", r.result.accuracy},
                    {"loss", r.result.loss},
                    {"ece", r.result.ece},
                    {"brier", r.result.brier}});
  }
  return list;
}

}  // namespace

RobustnessSuite RobustnessSuite::from_json(const nlohmann::json& j, const std::string& path) {
  JsonReader r(j, path);
  r.allow_only({"description", "limit", "seed", "baseline", "attacks", "corruptions"});
  RobustnessSuite suite;
  suite.description = r.string("description", "");
  suite.limit = r.integer("limit", 0, 0);
  suite.seed = static_cast<std::uint64_t>(r.integer("seed", 0, 0));
  suite.baseline = r.string("baseline", "");
  if (!r.has("attacks") && !r.has("corruptions"))
    throw ConfigError(join_path(path, "attacks") + ": a suite lists attacks, corruptions or both");
  if (r.has("corruptions")) {
    const nlohmann::json& list = r.at("corruptions");
    if (!list.is_array() || list.empty()) {
      throw ConfigError(r.path_of("corruptions") + ": must be a non-empty list of corruptions");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = index_path(r.path_of("corruptions"), i);
      suite.corruptions.push_back(read_corruption(list[i], at));
      if (suite.corruptions.back().fill != suite.fill()) {
        throw ConfigError(at + ".fill: '" + suite.corruptions.back().fill + "', but an earlier " +
                          "missing_features fills with '" + suite.fill() +
                          "' (one fill per suite)");
      }
    }
  }
  if (!r.has("attacks")) return suite;
  const nlohmann::json& attacks = r.at("attacks");
  if (!attacks.is_array() || attacks.empty()) {
    throw ConfigError(r.path_of("attacks") + ": must be a non-empty list of attacks");
  }
  for (std::size_t i = 0; i < attacks.size(); ++i) {
    const std::string at = index_path(r.path_of("attacks"), i);
    JsonReader a(attacks[i], at);
    std::vector<std::string> keys = AttackSpec::keys();
    keys.insert(keys.end(), {"type", "eps"});
    a.allow_only(keys);
    SuiteAttack entry;
    entry.type = a.string("type", std::nullopt, {"fgsm", "pgd"});
    entry.spec = attacks[i];
    const nlohmann::json& eps = a.at("eps");
    if (!eps.is_array() || eps.empty()) {
      throw ConfigError(a.path_of("eps") + ": must be a non-empty list of numbers");
    }
    for (std::size_t k = 0; k < eps.size(); ++k) {
      entry.eps.push_back(
          JsonReader::number_at(eps[k], index_path(a.path_of("eps"), k), Interval::above(0.0)));
    }
    attack_at(entry, entry.eps.front(), at);  // every other key checked now, not mid-run
    suite.attacks.push_back(std::move(entry));
  }
  return suite;
}

RobustnessSuite RobustnessSuite::load(const std::filesystem::path& file) {
  const nlohmann::json j = read_config(file.string());
  try {
    RobustnessSuite suite = from_json(j, "");
    suite.origin = file.string();
    return suite;
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
}

void RobustnessSuite::check_inputs(const InputInfo& input) const {
  for (std::size_t i = 0; i < corruptions.size(); ++i) {
    const Corruption& c = *find_corruption(corruptions[i].type);
    if (c.kind == input.kind && input.sample_shape.size() == corrupted_rank(c.kind)) continue;
    const std::string others = corruption_names(input.kind);
    throw ConfigError(
        str(origin.empty() ? "" : origin + ": ", index_path("corruptions", i), ".type: ", c.name,
            " corrupts ", corrupted_inputs(c.kind), "; this model reads ", to_string(input.kind),
            " inputs of shape ", input.sample_shape, " (",
            others.empty() ? "no corruption fits them yet: use attacks" : "use " + others, ")"));
  }
}

std::string RobustnessSuite::fill() const {
  for (const SuiteCorruption& c : corruptions) {
    if (c.type == "missing_features") return c.fill;
  }
  return "training";
}

FeatureStats training_feature_stats(const Experiment& e, const RobustnessSuite& suite) {
  if (!suite.needs_feature_stats()) return {};
  std::string fill = suite.fill();
  if (fill == "training") {
    fill = "mean";
    for (const nlohmann::json& hook : e.resolved.at("noise")) {
      if (hook.value("type", "") == "feature_mask") fill = hook.value("fill", "zero");
    }
  }
  std::vector<std::int64_t> all(static_cast<std::size_t>(e.data.train.size()));
  std::iota(all.begin(), all.end(), std::int64_t{0});
  const auto kind = std::find(kFills.begin(), kFills.end(), fill) - kFills.begin() - 1;
  return FeatureStats::from_training(make_batch(e.data.train, all).inputs,
                                     static_cast<MaskFill>(kind));
}

bool RobustnessSuite::needs_feature_stats() const {
  return std::any_of(corruptions.begin(), corruptions.end(), [](const SuiteCorruption& c) {
    return find_corruption(c.type)->kind == InputKind::tabular;
  });
}

RobustnessReport measure_robustness(Module& model, const Dataset& full_test, const InputInfo& input,
                                    const RobustnessSuite& suite, const EvalOptions& base,
                                    const FeatureStats* features) {
  suite.check_inputs(input);
  check(features != nullptr || !suite.needs_feature_stats(),
        "robustness: tabular corruptions need the training set's feature statistics");
  const Dataset test = limit(full_test, suite.limit);
  RobustnessReport report;
  report.rows.push_back({"clean", "clean", 0.0, evaluate(model, test, base)});
  const auto [low, high] = clip_range(input, true);
  for (std::size_t a = 0; a < suite.attacks.size(); ++a) {
    const SuiteAttack& entry = suite.attacks[a];
    for (std::size_t k = 0; k < entry.eps.size(); ++k) {
      const AttackSpec spec = attack_at(entry, entry.eps[k], index_path("attacks", a));
      const RandomStream starts(base.seed, str("robustness/", a, "/", k));
      EvalOptions options = base;
      options.transform = [&, low = low, high = high](Batch& batch, ExtraPasses& passes,
                                                      std::int64_t b) {
        batch.inputs = run_attack(spec, batch.inputs, cross_entropy_objective(batch.targets),
                                  passes, starts.child(static_cast<std::uint64_t>(b)), low, high);
      };
      // An EOT attack is another row from the plain one of the same type, in the table, the
      // JSON and the warnings.
      const std::string name = (spec.eot_samples > 1 ? "eot_" : "") + entry.type;
      report.rows.push_back({"attack", name, entry.eps[k], evaluate(model, test, options)});
    }
  }
  const CorruptionData data{{input.low, input.high}, features, &input};
  for (const SuiteCorruption& entry : suite.corruptions) {
    const Corruption& corruption = *find_corruption(entry.type);
    // The same draws at every severity: the curve shows the severity, not a new draw.
    const RandomStream stream(suite.seed, str("robustness/corruption/", entry.type));
    for (const int severity : entry.severities) {
      EvalOptions options = base;
      options.corrupt = [&](Batch& batch) {
        if (!corruption.apply_padded) {
          batch.inputs =
              corrupt_each(corruption, batch.inputs, batch.indices, severity, stream, data);
          return;
        }
        Padded done = corrupt_each(corruption, Padded{batch.inputs, batch.lengths}, batch.indices,
                                   severity, stream, data);
        batch.inputs = std::move(done.inputs);
        batch.lengths = std::move(done.lengths);
      };
      report.rows.push_back({"corruption", entry.type, static_cast<double>(severity),
                             evaluate(model, test, options)});
    }
  }
  report.summary = summarize_corruptions(report.rows, {}, "");
  report.warnings = robustness_warnings(report.rows);
  return report;
}

void compare_to_baseline(RobustnessReport& report, const RobustnessReport& baseline,
                         const std::string& name) {
  const std::int64_t mine = report.rows.front().result.count;
  const std::int64_t theirs = baseline.rows.front().result.count;
  if (mine != theirs) {
    throw ConfigError(str("baseline ", name, ": its test set has ", theirs, " samples, this run's ",
                          mine, "; mCE compares two models on the same images"));
  }
  report.baseline_rows.clear();
  for (const RobustnessRow& r : baseline.rows) {
    if (r.kind != "attack") report.baseline_rows.push_back(r);
  }
  report.summary = summarize_corruptions(report.rows, report.baseline_rows, name);
  for (const std::string& note : report.summary.undefined()) report.warnings.push_back(note);
}

std::vector<std::string> robustness_warnings(const std::vector<RobustnessRow>& rows) {
  std::vector<std::string> warnings;
  for (const RobustnessRow& f : rows) {
    if (f.name != "fgsm") continue;
    for (const RobustnessRow& p : rows) {
      if (p.name != "pgd" || p.strength != f.strength) continue;
      const double gap = f.result.accuracy - p.result.accuracy;
      if (gap > 0.15) {
        warnings.push_back(str("at eps ", format_eps(f.strength), " FGSM leaves ",
                               100.0 * f.result.accuracy, "% accuracy but PGD only ",
                               100.0 * p.result.accuracy,
                               "%: the loss is far from linear in the ball. Beyond the eps a model "
                               "was trained for that is expected; at or below it, it is a sign "
                               "of gradient masking or of catastrophic overfitting to FGSM. "
                               "Trust the PGD figure"));
      }
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      const RobustnessRow& a = rows[i];
      const RobustnessRow& b = rows[j];
      if (a.kind != "attack" || a.name != b.name || b.strength <= a.strength) continue;
      // Two standard errors of the difference of two accuracies on n samples each.
      const double n = static_cast<double>(std::max<std::int64_t>(a.result.count, 1));
      const double pa = a.result.accuracy;
      const double pb = b.result.accuracy;
      const double noise = 2.0 * std::sqrt((pa * (1 - pa) + pb * (1 - pb)) / n);
      if (pb - pa > std::max(0.01, noise)) {
        warnings.push_back(str(a.name, " accuracy rises from ", 100.0 * pa, "% at eps ",
                               format_eps(a.strength), " to ", 100.0 * pb, "% at eps ",
                               format_eps(b.strength),
                               ": a stronger attack should never do worse; the gradients are "
                               "masked (attack with more steps, restarts or eot_samples)"));
      }
    }
  }
  return warnings;
}

nlohmann::json RobustnessReport::to_json() const {
  nlohmann::json j;
  nlohmann::json robust = nlohmann::json::object();
  for (const RobustnessRow& r : rows) {
    if (r.kind == "attack") robust[r.name][format_eps(r.strength)] = r.result.accuracy;
  }
  j["rows"] = rows_json(rows);
  j["robust_accuracy"] = robust;
  j["summary"] = summary.to_json();
  j["summary"]["robust_accuracy"] = robust;
  if (!baseline_rows.empty()) j["baseline_rows"] = rows_json(baseline_rows);
  nlohmann::json bins = nlohmann::json::array();
  const std::vector<CalibrationBin>& calibration = rows.front().result.calibration;
  for (std::size_t b = 0; b < calibration.size(); ++b) {
    const double width = 1.0 / static_cast<double>(calibration.size());
    bins.push_back({{"low", static_cast<double>(b) * width},
                    {"high", static_cast<double>(b + 1) * width},
                    {"count", calibration[b].count},
                    {"confidence", calibration[b].confidence},
                    {"accuracy", calibration[b].accuracy}});
  }
  j["reliability"] = bins;
  j["warnings"] = warnings;
  return j;
}

std::string RobustnessReport::to_csv() const {
  std::ostringstream s;
  s.precision(10);
  s << "kind,name,strength,count,accuracy,loss,ece,brier,ce,relative_ce\n";
  for (const RobustnessRow& r : rows) {
    s << r.kind << ',' << r.name << ',' << r.strength << ',' << r.result.count << ','
      << r.result.accuracy << ',' << r.result.loss << ',' << r.result.ece << ',' << r.result.brier
      << ",,\n";
  }
  // The summary: each corruption's mean over its severities, then all of them (mCE).
  auto number = [](double v) { return std::isfinite(v) ? str(v) : std::string(); };
  for (const CorruptionScore& c : summary.corruptions) {
    s << "corruption_mean," << c.name << ",," << rows.front().result.count << ',' << c.accuracy
      << ",,,," << number(c.ce) << ',' << number(c.relative_ce) << '\n';
  }
  if (summary.conditions > 0) {
    s << "corruption_mean,all,," << rows.front().result.count << ',' << summary.mean_accuracy
      << ",,,," << number(summary.mce) << ',' << number(summary.relative_mce) << '\n';
  }
  return s.str();
}

std::string RobustnessReport::to_table() const {
  std::ostringstream s;
  char line[160];
  int width = 16;  // the longest name sets the first column
  for (const RobustnessRow& r : rows) width = std::max(width, static_cast<int>(r.name.size()));
  std::snprintf(line, sizeof line, "%-*s %8s %9s %8s %7s %7s\n", width, "", "eps/sev", "accuracy",
                "NLL", "ECE", "Brier");
  s << line;
  for (const RobustnessRow& r : rows) {
    std::snprintf(line, sizeof line, "%-*s %8s %8.2f%% %8.4f %7.4f %7.4f\n", width, r.name.c_str(),
                  r.kind == "clean" ? "-" : format_eps(r.strength).c_str(),
                  100.0 * r.result.accuracy, r.result.loss, r.result.ece, r.result.brier);
    s << line;
  }
  s << summary.to_text();
  for (const std::string& w : warnings) s << "warning: " << w << "\n";
  return s.str();
}

std::string write_robustness(const RobustnessReport& report, const nlohmann::json& header,
                             const std::filesystem::path& dir) {
  nlohmann::json j = header;
  j.update(report.to_json());
  write_file_atomic(dir / "robustness.json", j.dump(2) + "\n");
  write_file_atomic(dir / "robustness.csv", report.to_csv());

  std::string why;
  for (const std::string& error :
       {plot_attacks(report, dir / "robustness.png"),
        plot_corruptions(report, dir / "corruptions.png"),
        plot_reliability(report.rows.front().result, dir / "reliability.png")}) {
    if (why.empty()) why = error;
  }
  return why;
}

}  // namespace dither
