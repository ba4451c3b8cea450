#include "augment/weight_noise.h"

#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/noise.h"
#include "core/parallel.h"
#include "layers/weight_layer.h"

namespace dither {
namespace {

// Population standard deviation of every element of t, summed in double in fixed chunks.
double tensor_std(const Tensor& t) {
  const float* p = t.ptr();
  const std::int64_t n = t.numel();
  const double mean = parallel_sum(n,
                                   [p](std::int64_t b, std::int64_t e) {
                                     double s = 0.0;
                                     for (std::int64_t i = b; i < e; ++i) s += p[i];
                                     return s;
                                   }) /
                      static_cast<double>(n);
  const double var = parallel_sum(n,
                                  [p, mean](std::int64_t b, std::int64_t e) {
                                    double s = 0.0;
                                    for (std::int64_t i = b; i < e; ++i)
                                      s += (p[i] - mean) * (p[i] - mean);
                                    return s;
                                  }) /
                     static_cast<double>(n);
  return std::sqrt(var);
}

// Every linear and conv layer below `module`, depth first, in forward order.
void collect_weight_layers(Module& module, std::vector<WeightLayer*>& out) {
  if (auto* layer = dynamic_cast<WeightLayer*>(&module)) out.push_back(layer);
  for (const auto& [name, child] : module.children()) collect_weight_layers(*child, out);
}

Module* find_module(Module& module, const std::string& path) {
  if (module.path() == path) return &module;
  for (const auto& [name, child] : module.children()) {
    if (Module* found = find_module(*child, path)) return found;
  }
  return nullptr;
}

std::string paths_of(const std::vector<WeightLayer*>& layers) {
  std::string out;
  for (const WeightLayer* layer : layers) out += (out.empty() ? "" : ", ") + layer->path();
  return out.empty() ? "none" : out;
}

}  // namespace

Tensor perturb_weight(const Tensor& weight, float sigma, bool relative,
                      const RandomStream& stream) {
  const auto scale = static_cast<float>(relative ? sigma * tensor_std(weight) : sigma);
  if (scale == 0.0f) return weight;
  Tensor noise = Tensor::empty(weight.shape());
  stream.fill_normal(noise.data(), 0.0f, scale);
  return apply_noise(weight, Tensor(), noise);
}

WeightNoiseHook::WeightNoiseHook(Strength sigma, bool relative, std::vector<std::string> layers,
                                 double p)
    : Hook(p),
      sigma_(sigma),
      relative_(relative),
      layers_(std::move(layers)),
      current_(std::make_shared<double>(sigma.value)) {}

std::unique_ptr<Hook> WeightNoiseHook::from_json(const nlohmann::json& spec,
                                                 const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "sigma", "relative", "layers", "p", "ramp_epochs"});
  std::vector<std::string> layers;
  if (r.has("layers")) {
    const nlohmann::json& list = r.at("layers");
    const bool all = list.is_string() && list.get<std::string>() == "all";
    if (!all && (!list.is_array() || list.empty())) {
      throw ConfigError(r.path_of("layers") +
                        ": must be \"all\" or a non-empty list of layer paths such as "
                        "[\"model.0\", \"model.3\"], got " +
                        list.dump());
    }
    for (std::size_t i = 0; !all && i < list.size(); ++i) {
      if (!list[i].is_string()) {
        throw ConfigError(index_path(r.path_of("layers"), i) + ": must be a layer path such as " +
                          "\"model.0\", got " + list[i].dump());
      }
      layers.push_back(list[i].get<std::string>());
    }
  }
  return std::make_unique<WeightNoiseHook>(Strength::read(r, "sigma", 0.01, 0.0, 1e3),
                                           r.boolean("relative", false), std::move(layers),
                                           r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json WeightNoiseHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"relative", relative_}, {"p", p()}};
  j["layers"] = layers_.empty() ? nlohmann::json("all") : nlohmann::json(layers_);
  sigma_.write(j, "sigma");
  return j;
}

void WeightNoiseHook::setup(const HookSetup& setup) {
  std::vector<WeightLayer*> all;
  collect_weight_layers(setup.model, all);
  std::vector<WeightLayer*> chosen;
  if (layers_.empty()) {
    if (all.empty()) {
      throw ConfigError(setup.path +
                        ": the model has no linear or conv layer to put weight noise on");
    }
    chosen = all;
  }
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::string at = index_path(setup.path + ".layers", i);
    Module* module = find_module(setup.model, layers_[i]);
    auto* layer = dynamic_cast<WeightLayer*>(module);
    if (layer == nullptr) {
      throw ConfigError(at + ": " +
                        (module == nullptr ? "the model has no layer '" + layers_[i] + "'"
                                           : "'" + layers_[i] + "' is a " + module->type_name() +
                                                 " layer, not a linear or conv layer") +
                        "; its linear and conv layers: " + paths_of(all));
    }
    chosen.push_back(layer);
  }
  for (WeightLayer* layer : chosen) {
    if (layer->has_weight_perturbation()) {
      throw ConfigError(setup.path + ": " + layer->path() +
                        " already has weight noise from another entry; list each layer once");
    }
  }
  for (WeightLayer* layer : chosen) {
    layer->set_weight_perturbation([sigma = std::shared_ptr<const double>(current_),
                                    relative = relative_](const Tensor& w, const RandomStream& s) {
      return perturb_weight(w, static_cast<float>(*sigma), relative, s);
    });
  }
}

void WeightNoiseHook::on_batch(StepContext& ctx, Batch&) {
  *current_ = fires(ctx) ? sigma_.at(ctx.epochs_done()) : 0.0;
}

void WeightNoiseHook::on_step_end(StepContext&) { *current_ = sigma_.value; }

}  // namespace dither
