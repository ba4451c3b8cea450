#include <memory>

#include "core/error.h"
#include "layers/alpha_dropout.h"
#include "layers/dropconnect.h"
#include "layers/dropout.h"
#include "layers/gaussian_noise.h"
#include "layers/registry.h"
#include "layers/spatial_dropout.h"

namespace dither {
namespace {

// A layer whose only option is a drop probability "p" (default 0.5) in [0, 1], or in [0, 1)
// when `allow_one` is false.
template <class Layer>
LayerFactory probability_layer(bool allow_one = true) {
  return [allow_one](const LayerContext& ctx) -> std::shared_ptr<Module> {
    const JsonReader r(ctx.spec, ctx.path);
    r.allow_only({"type", "p"});
    const double p = r.number("p", 0.5, 0.0, 1.0);
    if (!allow_one && p == 1.0) throw ConfigError(r.path_of("p") + ": must be in [0, 1), got 1");
    return std::make_shared<Layer>(p);
  };
}

std::shared_ptr<Module> make_gaussian_noise(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "sigma"});
  return std::make_shared<GaussianNoise>(r.number("sigma", std::nullopt, 0.0));
}

// The wrapped layer is built through the registry at "<path>.layer" and sees this layer's input.
std::shared_ptr<Module> make_dropconnect(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "p", "layer"});
  const double p = r.number("p", 0.5, 0.0, 1.0);
  auto layer =
      LayerRegistry::instance().create(LayerContext{r.at("layer"), r.path_of("layer"), ctx.input});
  try {
    return std::make_shared<DropConnect>(std::move(layer), p);
  } catch (const ConfigError& e) {
    throw ConfigError(r.path_of("layer") + ": " + e.what());
  }
}

}  // namespace

void register_noise_layers(LayerRegistry& registry) {
  registry.add("dropout", probability_layer<Dropout>());
  registry.add("spatial_dropout1d", probability_layer<SpatialDropout1d>());
  registry.add("spatial_dropout2d", probability_layer<SpatialDropout2d>());
  registry.add("gaussian_noise", make_gaussian_noise);
  registry.add("gaussian_dropout", probability_layer<GaussianDropout>(/*allow_one=*/false));
  registry.add("alpha_dropout", probability_layer<AlphaDropout>());
  registry.add("dropconnect", make_dropconnect);
}

}  // namespace dither
