#include "train/robustness.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "augment/attack.h"
#include "augment/gaussian.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "train/atomic_file.h"
#include "train/experiment.h"
#include "train/plot.h"

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

}  // namespace

RobustnessSuite RobustnessSuite::from_json(const nlohmann::json& j, const std::string& path) {
  JsonReader r(j, path);
  r.allow_only({"description", "limit", "attacks"});
  RobustnessSuite suite;
  suite.description = r.string("description", "");
  suite.limit = r.integer("limit", 0, 0);
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
    return from_json(j, "");
  } catch (const ConfigError& e) {
    throw ConfigError(file.string() + ": " + e.what());
  }
}

RobustnessReport measure_robustness(Module& model, const Dataset& full_test, const InputInfo& input,
                                    const RobustnessSuite& suite, const EvalOptions& base) {
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
      report.rows.push_back({"attack", entry.type, entry.eps[k], evaluate(model, test, options)});
    }
  }
  report.warnings = robustness_warnings(report.rows);
  return report;
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
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json robust = nlohmann::json::object();
  for (const RobustnessRow& r : rows) {
    list.push_back({{"kind", r.kind},
                    {"name", r.name},
                    {"strength", r.strength},
                    {"count", r.result.count},
                    {"accuracy", r.result.accuracy},
                    {"loss", r.result.loss},
                    {"ece", r.result.ece},
                    {"brier", r.result.brier}});
    if (r.kind == "attack") robust[r.name][format_eps(r.strength)] = r.result.accuracy;
  }
  j["rows"] = list;
  j["robust_accuracy"] = robust;
  j["warnings"] = warnings;
  return j;
}

std::string RobustnessReport::to_csv() const {
  std::ostringstream s;
  s.precision(10);
  s << "kind,name,strength,count,accuracy,loss,ece,brier\n";
  for (const RobustnessRow& r : rows) {
    s << r.kind << ',' << r.name << ',' << r.strength << ',' << r.result.count << ','
      << r.result.accuracy << ',' << r.result.loss << ',' << r.result.ece << ',' << r.result.brier
      << '\n';
  }
  return s.str();
}

std::string RobustnessReport::to_table() const {
  std::ostringstream s;
  char line[160];
  std::snprintf(line, sizeof line, "%-8s %8s %9s %8s %7s %7s\n", "", "eps", "accuracy", "NLL",
                "ECE", "Brier");
  s << line;
  for (const RobustnessRow& r : rows) {
    std::snprintf(line, sizeof line, "%-8s %8s %8.2f%% %8.4f %7.4f %7.4f\n", r.name.c_str(),
                  r.kind == "clean" ? "-" : format_eps(r.strength).c_str(),
                  100.0 * r.result.accuracy, r.result.loss, r.result.ece, r.result.brier);
    s << line;
  }
  for (const std::string& w : warnings) s << "warning: " << w << "\n";
  return s.str();
}

std::string write_robustness(const RobustnessReport& report, const nlohmann::json& header,
                             const std::filesystem::path& dir) {
  nlohmann::json j = header;
  j.update(report.to_json());
  write_file_atomic(dir / "robustness.json", j.dump(2) + "\n");
  write_file_atomic(dir / "robustness.csv", report.to_csv());

  // One line per attack: accuracy against eps, the clean accuracy at eps 0.
  std::ostringstream s;
  std::vector<std::string> names;
  for (const RobustnessRow& r : report.rows) {
    if (r.kind != "attack") continue;
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
  }
  if (names.empty()) return "";
  const double clean = report.rows.front().result.accuracy;
  for (std::size_t i = 0; i < names.size(); ++i) {
    s << "$d" << i << " << EOD\n0 " << 100.0 * clean << "\n";
    for (const RobustnessRow& r : report.rows) {
      if (r.name == names[i]) s << r.strength << ' ' << 100.0 * r.result.accuracy << "\n";
    }
    s << "EOD\n";
  }
  s << "set title 'accuracy under attack' noenhanced\nset grid\nset xlabel 'eps'\n"
    << "set ylabel 'test accuracy (%)'\nset yrange [0:105]\nset key top right\nplot ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    s << (i ? ", " : "") << "$d" << i << " using 1:2 with linespoints lw 2 pt 7 title '" << names[i]
      << "'";
  }
  s << "\n";
  return run_gnuplot(s.str(), dir / "robustness.png");
}

}  // namespace dither
