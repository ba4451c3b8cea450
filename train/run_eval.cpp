#include "train/run_eval.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "core/error.h"
#include "train/atomic_file.h"
#include "train/load_trained.h"
#include "train/mc_dropout.h"
#include "train/ood.h"
#include "train/predictions.h"
#include "train/run_folder.h"
#include "train/temperature.h"
#include "train/uncertainty_plots.h"

namespace dither {
namespace {

namespace fs = std::filesystem;

// One predictor's predictions on the test set and, with --ood, on the OOD set.
struct Predictor {
  std::string name;
  bool several_passes = false;
  Predictions test;
  std::optional<Predictions> ood;
};

// A trained model with the checkpoint it came from.
struct Trained {
  Experiment experiment;
  fs::path file;
};

Trained load(const fs::path& target) {
  Trained t;
  t.experiment = load_trained(target, t.file);
  return t;
}

// set_logits, with a divergence named by the checkpoint and the set.
Tensor logits_of(Trained& t, const Dataset& data, const std::string& set) {
  try {
    return set_logits(*t.experiment.model, data, t.experiment.seed,
                      t.experiment.settings.batch_size);
  } catch (const DivergenceError& e) {
    throw DivergenceError(t.file.string() + ": diverged weights (" + set + " set): " + e.what());
  }
}

// A predictor from `predict`, a function of a set: on the test set and, with --ood, the OOD set.
template <class Predict>
Predictor predictor(std::string name, bool several_passes, const Dataset& test,
                    const std::optional<Dataset>& ood, const Predict& predict) {
  return {std::move(name), several_passes, predict(test),
          ood ? std::optional(predict(*ood)) : std::nullopt};
}

const char* set_name(const Dataset& data, const Dataset& test) {
  return &data == &test ? "test" : "OOD";
}

// The first key of two data specs whose values differ, as "key: a against b".
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b) {
  for (const auto& [key, value] : a.items()) {
    const nlohmann::json other = b.contains(key) ? b.at(key) : nlohmann::json(nullptr);
    if (value != other) return "data." + key + ": " + value.dump() + " against " + other.dump();
  }
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) return "data." + key + ": none against " + value.dump();
  }
  return "";
}

// A run may join the target's ensemble only if it was trained on the same data, classes and
// input shape: its probabilities then answer the same question about the same test set.
void check_member(const Trained& member, const Trained& target) {
  const Experiment& m = member.experiment;
  const Experiment& t = target.experiment;
  const std::string where = "--ensemble " + member.file.string() + ": ";
  if (m.data.resolved != t.data.resolved) {
    throw ConfigError(where + "trained on other data than " + target.file.string() + " (" +
                      first_difference(m.data.resolved, t.data.resolved) + ")");
  }
  if (m.data.test.class_names != t.data.test.class_names ||
      m.data.test.sample_shape != t.data.test.sample_shape) {
    throw ConfigError(where + "its classes or input shape differ from " + target.file.string());
  }
}

// Temperature scaling on the validation split: eval.json's "temperature" and the fitted T
// (0 when the run has no validation split).
double fit_on_validation(Trained& t, const Predictions& test, nlohmann::json& out) {
  const Dataset& validation = t.experiment.data.validation;
  if (validation.size() == 0) {
    out = {{"skipped", "the run has no validation split (data.validation_split is 0)"}};
    return 0.0;
  }
  const Tensor logits = logits_of(t, validation, "validation");
  const double temperature = fit_temperature(logits, validation.labels);
  const Evaluation before = evaluation_of(test);
  const Evaluation after = evaluation_of(from_logits(test.scores, test.labels, temperature));
  const auto metrics = [](const Evaluation& e) {
    return nlohmann::json{{"nll", e.loss}, {"ece", e.ece}, {"brier", e.brier}};
  };
  out = {{"value", temperature},
         {"fitted_on", str("validation split, ", validation.size(), " samples")},
         {"validation_nll",
          {{"before", nll_at_temperature(logits, validation.labels, 1.0)},
           {"after", nll_at_temperature(logits, validation.labels, temperature)}}},
         {"test", {{"before", metrics(before)}, {"after", metrics(after)}}}};
  return temperature;
}

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

// Which passes ran, in words, and eval.json's "mode".
std::string describe_mode(const EvalRequest& request, const std::vector<std::string>& layers,
                          const Predictor* mc, nlohmann::json& out) {
  out = {{"deterministic", "eval mode: noise layers off, BatchNorm's running statistics"},
         {"mc_samples", request.mc_samples}};
  std::string text = "deterministic pass in eval mode (noise layers off)";
  if (!mc) {
    out["description"] = text;
    return text;
  }
  out["stochastic_layers"] = layers;
  double largest_mi = 0.0;
  for (std::int64_t i = 0; i < mc->test.size(); ++i)
    largest_mi = std::max(largest_mi, mc->test.mutual_information(i));
  text += ", and MC sampling with " + std::to_string(request.mc_samples) + " passes";
  if (layers.empty()) {
    text +=
        ": MC had no stochastic layer (the model has no noise layer), so it equals the "
        "deterministic pass";
  } else {
    std::string names;
    for (const std::string& l : layers) names += (names.empty() ? "" : ", ") + l;
    text += " with these layers stochastic: " + names;
    if (largest_mi < 1e-9) text += " (but every pass agreed: none of them drew noise)";
  }
  out["description"] = text;
  return text;
}

// Each member's deterministic pass on the target's sets, then the average of all of them, the
// target's own pass (`target`) first.
std::vector<Predictor> ensemble(const Predictor& target, std::vector<Trained>& others,
                                const Dataset& test, const std::optional<Dataset>& ood) {
  std::vector<Predictor> rows;
  std::vector<Predictions> tests{target.test};
  std::vector<Predictions> oods;
  if (ood) oods.push_back(*target.ood);
  for (Trained& m : others) {
    rows.push_back(predictor("member " + m.file.string(), false, test, ood, [&](const Dataset& d) {
      return from_logits(logits_of(m, d, set_name(d, test)), d.labels);
    }));
    tests.push_back(rows.back().test);
    if (ood) oods.push_back(*rows.back().ood);
  }
  rows.push_back({"ensemble of " + std::to_string(tests.size()), true, average(tests),
                  ood ? std::optional(average(oods)) : std::nullopt});
  return rows;
}

// eval.json, reliability.png and, with an OOD set, ood_scores.png into `dir`; returns why a
// plot was not drawn, or "".
std::string write_eval(const EvalReport& report, const std::vector<Predictor>& predictors,
                       const std::string& ood_name, const fs::path& dir) {
  make_dir(dir);
  write_file_atomic(dir / "eval.json", report.json.dump(2) + "\n");
  std::string error = plot_reliability_curves(report.rows, dir / "reliability.png");
  if (!predictors.front().ood) return error;
  // The histograms of the predictor that averages most: MC, else the ensemble, else one pass.
  const auto several = std::find_if(predictors.begin(), predictors.end(),
                                    [](const Predictor& p) { return p.several_passes; });
  const Predictor& shown = several != predictors.end() ? *several : predictors.front();
  const std::string ood_error =
      plot_ood_histograms(shown.test, *shown.ood, shown.several_passes,
                          shown.name + ": " + ood_name, dir / "ood_scores.png");
  return error.empty() ? ood_error : error;
}

}  // namespace

std::string EvalReport::to_text() const {
  std::ostringstream out;
  out << "test accuracy " << fixed(100.0 * test.accuracy, 2) << "%  loss " << fixed(test.loss, 4)
      << "  ECE " << fixed(test.ece, 4) << "  (" << test.count << " samples)\n";
  out << "mode: " << mode << "\n";
  const nlohmann::json& t = json.at("temperature");
  if (t.contains("value")) {
    out << "temperature scaling: T = " << fixed(t.at("value").get<double>(), 4)
        << " (fitted on the " << t.at("fitted_on").get<std::string>() << "); test NLL "
        << fixed(t.at("test").at("before").at("nll").get<double>(), 4) << " -> "
        << fixed(t.at("test").at("after").at("nll").get<double>(), 4) << ", ECE "
        << fixed(t.at("test").at("before").at("ece").get<double>(), 4) << " -> "
        << fixed(t.at("test").at("after").at("ece").get<double>(), 4) << "\n";
  } else {
    out << "temperature scaling skipped: " << t.at("skipped").get<std::string>() << "\n";
  }
  out << "\n" << uncertainty_table(rows);
  return out.str();
}

EvalReport run_evaluation(const EvalRequest& request) {
  Trained target = load(request.target);
  Experiment& e = target.experiment;
  const Dataset& test = e.data.test;
  std::optional<Dataset> ood;
  if (request.ood) ood = load_ood_set(*request.ood, test, e.seed);
  std::vector<Trained> others;
  for (const fs::path& run : request.ensemble) {
    others.push_back(load(run));
    check_member(others.back(), target);
  }

  // The deterministic logits, computed once: the temperature only rescales them.
  const Tensor test_logits = logits_of(target, test, "test");
  const std::optional<Tensor> ood_logits =
      ood ? std::optional(logits_of(target, *ood, "OOD")) : std::nullopt;
  const auto scaled = [&](double temperature) {
    return [&, temperature](const Dataset& d) {
      return from_logits(&d == &test ? test_logits : *ood_logits, d.labels, temperature);
    };
  };
  std::vector<Predictor> predictors{predictor("deterministic", false, test, ood, scaled(1.0))};
  EvalReport report;
  report.test = evaluation_of(predictors.front().test);
  nlohmann::json extra;
  const double temperature =
      fit_on_validation(target, predictors.front().test, extra["temperature"]);
  if (temperature > 0.0) {
    predictors.push_back(predictor("temperature-scaled (T=" + fixed(temperature, 3) + ")", false,
                                   test, ood, scaled(temperature)));
  }
  if (request.mc_samples > 0) {
    // The OOD set's batch b sees the same T sub-networks as the test set's: a paired comparison.
    predictors.push_back(predictor("MC (" + std::to_string(request.mc_samples) + " passes)", true,
                                   test, ood, [&](const Dataset& d) {
                                     return mc_predictions(*e.model, d, request.mc_samples, e.seed,
                                                           e.settings.batch_size);
                                   }));
  }
  report.mode = describe_mode(request, stochastic_layers(*e.model),
                              request.mc_samples > 0 ? &predictors.back() : nullptr, extra["mode"]);
  if (!others.empty()) {
    for (Predictor& p : ensemble(predictors.front(), others, test, ood))
      predictors.push_back(std::move(p));
    nlohmann::json members = nlohmann::json::array({target.file.string()});
    for (const Trained& m : others) members.push_back(m.file.string());
    extra["ensemble"] = {{"members", members}, {"test_set", target.file.string()}};
  }
  if (ood) {
    extra["ood"] = {{"spec", request.ood->string()}, {"name", ood->name}, {"count", ood->size()}};
  }

  nlohmann::json rows = nlohmann::json::array();
  for (const Predictor& p : predictors) {
    report.rows.push_back(
        uncertainty_row(p.name, p.test, p.several_passes, p.ood ? &*p.ood : nullptr));
    rows.push_back(to_json(report.rows.back()));
  }
  report.json = report.test.to_json();  // the figures eval always reported stay at the top
  report.json["checkpoint"] = target.file.string();
  report.json.update(extra);
  report.json["predictors"] = rows;
  report.plot_error = write_eval(report, predictors, ood ? ood->name : "",
                                 request.out_dir ? *request.out_dir : target.file.parent_path());
  return report;
}

}  // namespace dither
