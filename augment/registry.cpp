#include "augment/registry.h"

#include "augment/adversarial_training.h"
#include "augment/background_noise.h"
#include "augment/consistency.h"
#include "augment/cutmix.h"
#include "augment/cutout.h"
#include "augment/feature_mask.h"
#include "augment/free_at.h"
#include "augment/gaussian.h"
#include "augment/gradient_noise.h"
#include "augment/label_noise.h"
#include "augment/label_smoothing.h"
#include "augment/manifold_mixup.h"
#include "augment/mixup.h"
#include "augment/random_erasing.h"
#include "augment/rdrop.h"
#include "augment/salt_pepper.h"
#include "augment/spec_augment.h"
#include "augment/speckle.h"
#include "augment/speed_perturb.h"
#include "augment/temporal_dropout.h"
#include "augment/time_mask.h"
#include "augment/token_mask.h"
#include "augment/trades.h"
#include "augment/uniform.h"
#include "augment/weight_noise.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

void register_builtin_hooks(HookRegistry& registry) {
  registry.add("gaussian", &GaussianNoiseHook::from_json);
  registry.add("fgsm", &AdversarialTrainingHook::fgsm);
  registry.add("fgsm_rs", &AdversarialTrainingHook::fgsm_rs);
  registry.add("pgd", &AdversarialTrainingHook::pgd);
  registry.add("trades", &TradesHook::from_json);
  registry.add("free_at", &FreeAdversarialHook::from_json);
  registry.add("uniform", &UniformNoiseHook::from_json);
  registry.add("salt_pepper", &SaltPepperHook::from_json);
  registry.add("speckle", &SpeckleNoiseHook::from_json);
  registry.add("cutout", &CutoutHook::from_json);
  registry.add("random_erasing", &RandomErasingHook::from_json);
  registry.add("feature_mask", &FeatureMaskHook::from_json);
  registry.add("mixup", &MixupHook::from_json);
  registry.add("cutmix", &CutMixHook::from_json);
  registry.add("manifold_mixup", &ManifoldMixupHook::from_json);
  registry.add("label_smoothing", &LabelSmoothingHook::from_json);
  registry.add("label_noise", &LabelNoiseHook::from_json);
  registry.add("weight_noise", &WeightNoiseHook::from_json);
  registry.add("gradient_noise", &GradientNoiseHook::from_json);
  registry.add("rdrop", &RDropHook::from_json);
  registry.add("consistency", &ConsistencyHook::from_json);
  registry.add("token_mask", &TokenMaskHook::from_json);
  registry.add("time_mask", &TimeMaskHook::from_json);
  registry.add("temporal_dropout", &TemporalDropoutHook::from_json);
  registry.add("spec_augment", &SpecAugmentHook::from_json);
  registry.add("background_noise", &BackgroundNoiseHook::from_json);
  registry.add("speed_perturb", &SpeedPerturbHook::from_json);
}

HookRegistry& HookRegistry::instance() {
  static HookRegistry registry = [] {
    HookRegistry r;
    register_builtin_hooks(r);
    return r;
  }();
  return registry;
}

void HookRegistry::add(const std::string& type, HookFactory factory) {
  check(!factories_.count(type), "HookRegistry: '", type, "' is registered twice");
  factories_.emplace(type, std::move(factory));
}

std::vector<std::string> HookRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

std::unique_ptr<Hook> HookRegistry::create(const nlohmann::json& spec,
                                           const std::string& path) const {
  JsonReader r(spec, path);
  const std::string type = r.string("type");
  auto it = factories_.find(type);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& name : types()) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError(r.path_of("type") + ": unknown noise technique '" + type + "'" +
                      did_you_mean(type, types()) + "; known: " + known);
  }
  return it->second(spec, path);
}

std::vector<std::unique_ptr<Hook>> make_hooks(const nlohmann::json& list, const std::string& path) {
  if (!list.is_array()) throw ConfigError(path + ": must be a list of noise techniques");
  std::vector<std::unique_ptr<Hook>> hooks;
  for (std::size_t i = 0; i < list.size(); ++i) {
    hooks.push_back(HookRegistry::instance().create(list[i], index_path(path, i)));
  }
  return hooks;
}

void setup_hooks(const std::vector<std::unique_ptr<Hook>>& hooks, const HookSetup& base,
                 const std::string& path) {
  std::string replaying;
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    HookSetup setup = base;
    setup.path = index_path(path, i);
    hooks[i]->setup(setup);
    if (hooks[i]->replays() == 1) continue;
    if (!replaying.empty()) {
      throw ConfigError(setup.path + ": only one technique may replay batches; " + replaying +
                        " does already");
    }
    replaying = setup.path;
  }
}

}  // namespace dither
