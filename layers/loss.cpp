#include "layers/loss.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/loss.h"

namespace dither {

const std::vector<std::string>& loss_types() {
  static const std::vector<std::string> types{"cross_entropy",  "nll", "mse", "l1", "huber",
                                              "bce_with_logits"};
  return types;
}

Loss::Loss(LossOptions options) : options_(std::move(options)) {
  const auto& types = loss_types();
  if (std::find(types.begin(), types.end(), options_.type) == types.end()) {
    throw ConfigError("loss: unknown type '" + options_.type + "'" +
                      did_you_mean(options_.type, types));
  }
  if (!(options_.label_smoothing >= 0.0f && options_.label_smoothing <= 1.0f)) {
    throw ConfigError(
        str("loss: label_smoothing must be in [0, 1], got ", options_.label_smoothing));
  }
  if (!(options_.delta > 0.0f && std::isfinite(options_.delta))) {
    throw ConfigError(str("loss: delta must be > 0, got ", options_.delta));
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

Tensor Loss::operator()(const Tensor& outputs, const Tensor& targets) const {
  const std::string& type = options_.type;
  if (type == "cross_entropy") {
    CrossEntropyOptions ce;
    ce.label_smoothing = options_.label_smoothing;
    ce.weight = weight_;
    return cross_entropy(outputs, targets, ce);
  }
  if (type == "nll") return nll(outputs, targets);
  if (type == "mse") return mse(outputs, targets);
  if (type == "l1") return l1(outputs, targets);
  if (type == "huber") return huber(outputs, targets, options_.delta);
  return bce_with_logits(outputs, targets);
}

nlohmann::json Loss::to_json() const {
  nlohmann::json j{{"type", options_.type}};
  if (options_.type == "cross_entropy") {
    j["label_smoothing"] = options_.label_smoothing;
    j["weight"] =
        options_.weight.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.weight);
  }
  if (options_.type == "huber") j["delta"] = options_.delta;
  return j;
}

Loss make_loss(const nlohmann::json& spec, const std::string& path) {
  const JsonReader r(spec, path);
  LossOptions options;
  options.type = r.string("type", std::nullopt, loss_types());
  if (options.type == "cross_entropy") {
    r.allow_only({"type", "label_smoothing", "weight"});
    options.label_smoothing = static_cast<float>(r.number("label_smoothing", 0.0, 0.0, 1.0));
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
  } else {
    r.allow_only({"type"});
  }
  return Loss(options);
}

}  // namespace dither
