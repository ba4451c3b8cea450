#include "layers/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/loss.h"
#include "layers/robust_losses.h"

namespace dither {
namespace {

bool one_of(const std::string& type, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return type == n; });
}

void check_smoothing(float eps) {
  if (!(eps >= 0.0f && eps <= 1.0f)) {
    throw ConfigError(str("loss: label_smoothing must be in [0, 1], got ", eps));
  }
}

}  // namespace

std::string to_string(Smoothing mode) { return mode == Smoothing::others ? "others" : "uniform"; }

const std::vector<std::string>& loss_types() {
  static const std::vector<std::string> types{"cross_entropy",   "nll", "mse", "l1", "huber",
                                              "bce_with_logits", "gce", "sce"};
  return types;
}

Loss::Loss(LossOptions options) : options_(std::move(options)) {
  const auto& types = loss_types();
  if (std::find(types.begin(), types.end(), options_.type) == types.end()) {
    throw ConfigError("loss: unknown type '" + options_.type + "'" +
                      did_you_mean(options_.type, types));
  }
  check_smoothing(options_.label_smoothing);
  if (!(options_.delta > 0.0f && std::isfinite(options_.delta))) {
    throw ConfigError(str("loss: delta must be > 0, got ", options_.delta));
  }
  if (!(options_.q > 0.0f && options_.q <= 1.0f)) {
    throw ConfigError(str("loss: q must be in (0, 1], got ", options_.q));
  }
  if (!(options_.alpha >= 0.0f && options_.beta >= 0.0f && std::isfinite(options_.alpha) &&
        std::isfinite(options_.beta))) {
    throw ConfigError(str("loss: alpha and beta must be finite and >= 0, got ", options_.alpha,
                          ", ", options_.beta));
  }
  if (!(options_.log_floor < 0.0f && std::isfinite(options_.log_floor))) {
    throw ConfigError(str("loss: log_floor must be finite and < 0, got ", options_.log_floor));
  }
  for (float w : options_.weight) {
    if (!(w >= 0.0f && std::isfinite(w))) {
      throw ConfigError(str("loss: class weights must be finite and >= 0, got ", w));
    }
  }
  if (!options_.weight.empty()) {
    weight_ = Tensor::from(options_.weight, {static_cast<std::int64_t>(options_.weight.size())});
  }
}

void Loss::set_label_smoothing(float eps, Smoothing mode) {
  if (options_.type != "cross_entropy") {
    throw ConfigError("loss: label smoothing needs cross_entropy, not '" + options_.type + "'");
  }
  check_smoothing(eps);
  options_.label_smoothing = eps;
  options_.smoothing = mode;
}

bool Loss::takes_class_targets() const {
  return one_of(options_.type, {"cross_entropy", "nll", "gce", "sce"});
}

bool Loss::accepts_soft_targets() const {
  return one_of(options_.type, {"cross_entropy", "gce", "sce"});
}

Tensor Loss::operator()(const Tensor& outputs, const Tensor& targets) const {
  const std::string& type = options_.type;
  if (type == "cross_entropy") {
    CrossEntropyOptions ce;
    ce.label_smoothing = options_.label_smoothing;
    ce.smoothing = options_.smoothing;
    ce.weight = weight_;
    return cross_entropy(outputs, targets, ce);
  }
  if (type == "nll") return nll(outputs, targets);
  if (type == "mse") return mse(outputs, targets);
  if (type == "l1") return l1(outputs, targets);
  if (type == "huber") return huber(outputs, targets, options_.delta);
  if (type == "gce") return generalized_cross_entropy(outputs, targets, options_.q);
  if (type == "sce") {
    return symmetric_cross_entropy(outputs, targets, options_.alpha, options_.beta,
                                   options_.log_floor);
  }
  return bce_with_logits(outputs, targets);
}

nlohmann::json Loss::to_json() const {
  nlohmann::json j{{"type", options_.type}};
  if (options_.type == "cross_entropy") {
    j["label_smoothing"] = options_.label_smoothing;
    j["label_smoothing_mode"] = to_string(options_.smoothing);
    j["weight"] =
        options_.weight.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.weight);
  }
  if (options_.type == "huber") j["delta"] = options_.delta;
  if (options_.type == "gce") j["q"] = options_.q;
  if (options_.type == "sce") {
    j["alpha"] = options_.alpha;
    j["beta"] = options_.beta;
    j["log_floor"] = options_.log_floor;
  }
  return j;
}

Smoothing read_smoothing_mode(const JsonReader& reader, std::string_view key) {
  return reader.string(key, "uniform", {"uniform", "others"}) == "others" ? Smoothing::others
                                                                          : Smoothing::uniform;
}

Loss make_loss(const nlohmann::json& spec, const std::string& path) {
  const JsonReader r(spec, path);
  LossOptions options;
  options.type = r.string("type", std::nullopt, loss_types());
  if (options.type == "cross_entropy") {
    r.allow_only({"type", "label_smoothing", "label_smoothing_mode", "weight"});
    options.label_smoothing = static_cast<float>(r.number("label_smoothing", 0.0, 0.0, 1.0));
    options.smoothing = read_smoothing_mode(r, "label_smoothing_mode");
    // null means no class weights, as to_json() writes it.
    if (r.has("weight") && !r.at("weight").is_null()) {
      const nlohmann::json& weight = r.at("weight");
      if (!weight.is_array() || weight.empty()) {
        throw ConfigError(r.path_of("weight") +
                          ": must be a non-empty list of class weights, got " + weight.dump());
      }
      for (std::size_t k = 0; k < weight.size(); ++k) {
        const nlohmann::json& w = weight[k];
        if (!w.is_number() || !std::isfinite(w.get<double>()) || w.get<double>() < 0.0) {
          throw ConfigError(index_path(r.path_of("weight"), k) +
                            ": must be a finite number >= 0, got " + w.dump());
        }
        options.weight.push_back(w.get<float>());
      }
    }
  } else if (options.type == "huber") {
    r.allow_only({"type", "delta"});
    options.delta = static_cast<float>(r.number("delta", 1.0, 0.0));
    if (options.delta == 0.0f) throw ConfigError(r.path_of("delta") + ": must be > 0, got 0");
  } else if (options.type == "gce") {
    r.allow_only({"type", "q"});
    options.q = static_cast<float>(r.number("q", 0.7, Interval{0.0, 1.0, true, false}));
  } else if (options.type == "sce") {
    r.allow_only({"type", "alpha", "beta", "log_floor"});
    options.alpha = static_cast<float>(r.number("alpha", 0.1, Interval::at_least(0.0)));
    options.beta = static_cast<float>(r.number("beta", 1.0, Interval::at_least(0.0)));
    options.log_floor = static_cast<float>(r.number(
        "log_floor", -4.0, Interval{-std::numeric_limits<double>::infinity(), 0.0, true, true}));
  } else {
    r.allow_only({"type"});
  }
  return Loss(options);
}

}  // namespace dither
