#include "augment/label_noise.h"

#include <string>

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

Tensor corrupt_labels(const Tensor& ids, const std::vector<std::int64_t>& indices,
                      std::int64_t num_classes, double rate, const std::vector<std::int64_t>& to,
                      const RandomStream& stream) {
  check_shape(ids.dim() == 1 && ids.size(0) == static_cast<std::int64_t>(indices.size()),
              "label_noise: class ids [B] with one dataset index each, got ", ids.shape(), " and ",
              indices.size(), " indices");
  check(to.empty() || static_cast<std::int64_t>(to.size()) == num_classes,
        "label_noise: a class map of ", to.size(), " entries for ", num_classes, " classes");
  const RandomStream flip = stream.child(0);
  const RandomStream other = stream.child(1);
  Tensor out = Tensor::empty(ids.shape());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const auto y = static_cast<std::int64_t>(ids.ptr()[i]);
    check(y >= 0 && y < num_classes, "label_noise: class id ", y, " outside [0, ", num_classes,
          ")");
    const auto key = static_cast<std::uint64_t>(indices[i]);
    std::int64_t label = y;
    if (flip.bernoulli(key, rate)) {
      if (!to.empty()) {
        label = to[static_cast<std::size_t>(y)];
      } else if (num_classes > 1) {
        const std::int64_t r = other.integer(key, num_classes - 1);
        label = r < y ? r : r + 1;
      }
    }
    out.ptr()[i] = static_cast<float>(label);
  }
  return out;
}

LabelNoiseHook::LabelNoiseHook(double rate, bool asymmetric,
                               std::map<std::int64_t, std::int64_t> pairs)
    : Hook(1.0), rate_(rate), asymmetric_(asymmetric), pairs_(std::move(pairs)) {}

std::unique_ptr<Hook> LabelNoiseHook::from_json(const nlohmann::json& spec,
                                                const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "rate", "mode", "pairs", "p"});
  if (r.has("p") && !(r.at("p").is_number() && r.at("p").get<double>() == 1.0)) {
    throw ConfigError(r.path_of("p") + ": must be 1: which labels are wrong is fixed for the " +
                      "run; set the fraction with \"rate\"");
  }
  const double rate = r.number("rate", 0.2, 0.0, 1.0);
  const bool asymmetric =
      r.string("mode", "symmetric", {"symmetric", "asymmetric"}) == "asymmetric";
  std::map<std::int64_t, std::int64_t> pairs;
  if (r.has("pairs") && !r.at("pairs").is_null()) {
    if (!asymmetric) {
      throw ConfigError(r.path_of("pairs") + ": only \"mode\": \"asymmetric\" uses a class map");
    }
    const JsonReader map = r.object("pairs");
    for (const auto& [from, to] : map.json().items()) {
      std::size_t used = 0;
      std::int64_t k = -1;
      try {
        k = std::stoll(from, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != from.size() || k < 0) {
        throw ConfigError(map.path_of(from) + ": keys are class ids (\"3\": 5 maps 3 to 5)");
      }
      pairs[k] = map.integer(from, std::nullopt, 0);
    }
  }
  return std::make_unique<LabelNoiseHook>(rate, asymmetric, std::move(pairs));
}

nlohmann::json LabelNoiseHook::to_json() const {
  nlohmann::json pairs = nullptr;
  for (const auto& [from, to] : pairs_) pairs[std::to_string(from)] = to;
  return {{"type", type_name()},
          {"rate", rate_},
          {"mode", asymmetric_ ? "asymmetric" : "symmetric"},
          {"pairs", pairs},
          {"p", p()}};
}

void LabelNoiseHook::setup(const HookSetup& setup) {
  path_ = setup.path;
  const std::int64_t k = setup.input.num_classes;
  if (k < 2) {
    throw ConfigError(setup.path + ": label noise needs a classification set with 2 or more " +
                      "classes");
  }
  to_.clear();
  if (!asymmetric_) return;
  for (std::int64_t c = 0; c < k; ++c) to_.push_back(pairs_.empty() ? (c + 1) % k : c);
  for (const auto& [from, to] : pairs_) {
    const std::string at = setup.path + ".pairs." + std::to_string(from);
    if (from >= k || to >= k) {
      throw ConfigError(str(at, ": maps ", from, " to ", to, ", but the classes are 0 to ", k - 1));
    }
    if (from == to) throw ConfigError(str(at, ": maps class ", from, " to itself"));
    to_[static_cast<std::size_t>(from)] = to;
  }
}

void LabelNoiseHook::on_batch(StepContext& ctx, Batch& batch) {
  if (rate_ == 0.0) return;
  if (batch.soft_targets()) {
    throw ConfigError(path_ + ": label_noise needs class ids, but an earlier hook made soft " +
                      "targets; list label_noise before mixup, cutmix and manifold_mixup");
  }
  batch.targets = corrupt_labels(batch.targets, batch.indices, batch.num_classes, rate_, to_,
                                 ctx.fixed_stream("label_noise"));
}

}  // namespace dither
