#include <algorithm>
#include <memory>

#include "core/error.h"
#include "layers/alpha_dropout.h"
#include "layers/concrete_dropout.h"
#include "layers/drop_block.h"
#include "layers/drop_path.h"
#include "layers/dropconnect.h"
#include "layers/dropout.h"
#include "layers/gaussian_noise.h"
#include "layers/pni.h"
#include "layers/registry.h"
#include "layers/spatial_dropout.h"

namespace dither {
namespace {

// A layer whose only option is a drop probability "p" (default `fallback`) in [0, 1], or in
// [0, 1) when `allow_one` is false.
template <class Layer>
LayerFactory probability_layer(bool allow_one = true, double fallback = 0.5) {
  return [allow_one, fallback](const LayerContext& ctx) -> std::shared_ptr<Module> {
    const JsonReader r(ctx.spec, ctx.path);
    r.allow_only({"type", "p"});
    const double p = r.number("p", fallback, 0.0, 1.0);
    if (!allow_one && p == 1.0) throw ConfigError(r.path_of("p") + ": must be in [0, 1), got 1");
    return std::make_shared<Layer>(p);
  };
}

std::shared_ptr<Module> make_gaussian_noise(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "sigma"});
  return std::make_shared<GaussianNoise>(r.number("sigma", std::nullopt, 0.0));
}

// A layer around another: the wrapped layer is built through the registry at "<path>.layer" and
// sees this layer's input; `make` builds the wrapper, whose ConfigError names that path.
template <class Make>
std::shared_ptr<Module> wrap_layer(const JsonReader& r, const LayerContext& ctx, Make make) {
  auto layer =
      LayerRegistry::instance().create(LayerContext{r.at("layer"), r.path_of("layer"), ctx.input});
  try {
    return make(std::move(layer));
  } catch (const ConfigError& e) {
    throw ConfigError(r.path_of("layer") + ": " + e.what());
  }
}

std::shared_ptr<Module> make_dropconnect(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "p", "layer"});
  const double p = r.number("p", 0.5, 0.0, 1.0);
  return wrap_layer(r, ctx, [p](std::shared_ptr<Module> layer) {
    return std::make_shared<DropConnect>(std::move(layer), p);
  });
}

std::shared_ptr<Module> make_pni(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "granularity", "init", "at_eval", "layer"});
  const std::string granularity = r.string("granularity", "layer", {"layer", "channel"});
  const double init = r.number("init", 0.25, 0.0, 1e3);
  const bool at_eval = r.boolean("at_eval", false);
  return wrap_layer(r, ctx, [&](std::shared_ptr<Module> layer) {
    return std::make_shared<Pni>(std::move(layer), granularity, init, at_eval);
  });
}

std::shared_ptr<Module> make_concrete_dropout(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only(
      {"type", "init_p", "temperature", "weight_regularizer", "dropout_regularizer", "layer"});
  const ConcreteDropoutOptions d;
  ConcreteDropoutOptions o;
  o.init_p = r.number("init_p", d.init_p, Interval::open_unit());
  o.temperature = r.number("temperature", d.temperature, Interval::above(0.0));
  o.weight_regularizer = r.number("weight_regularizer", d.weight_regularizer, 0.0);
  o.dropout_regularizer = r.number("dropout_regularizer", d.dropout_regularizer, 0.0);
  return wrap_layer(r, ctx, [&](std::shared_ptr<Module> layer) {
    return std::make_shared<ConcreteDropout>(std::move(layer), numel(ctx.input), o);
  });
}

// Blocks must fit the feature maps reaching the layer: a typo fails at config load.
std::shared_ptr<Module> make_drop_block(const LayerContext& ctx) {
  require_input_rank(ctx, "drop_block", 3, 3, "[C,H,W]");
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "p", "block_size", "ramp_steps"});
  DropBlockOptions options;
  options.p = r.number("p", options.p, 0.0, 1.0);
  options.block_size = r.integer("block_size", options.block_size, 1);
  options.ramp_steps = r.integer("ramp_steps", options.ramp_steps, 0);
  const std::int64_t side = std::min(ctx.input[1], ctx.input[2]);
  if (options.block_size > side) {
    throw ConfigError(str(r.path_of("block_size"), ": ", options.block_size,
                          " does not fit the feature maps ", to_string(ctx.input),
                          " reaching this layer; use at most ", side));
  }
  return std::make_shared<DropBlock>(options);
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
  registry.add("pni", make_pni);
  registry.add("concrete_dropout", make_concrete_dropout);
  registry.add("drop_block", make_drop_block);
  registry.add("drop_path", probability_layer<DropPath>(/*allow_one=*/true, /*fallback=*/0.1));
}

}  // namespace dither
