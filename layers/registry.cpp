#include "layers/registry.h"

#include <tuple>

#include "core/autograd.h"
#include "core/error.h"
#include "core/random.h"
#include "layers/init.h"

namespace dither {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Puts a module tree in plain eval mode (no MC sampling) for one probing forward, then puts back
// each module's own modes, so probing changes nothing observable.
class ProbeScope {
 public:
  explicit ProbeScope(Module& root) {
    save(root);
    root.eval();
    root.set_mc_sampling(false);
  }
  ~ProbeScope() {
    // Parents come first: train() recurses, so each child then gets its own mode back.
    for (const auto& [module, training, mc] : modes_) {
      module->train(training);
      module->set_mc_sampling(mc);
    }
  }
  ProbeScope(const ProbeScope&) = delete;
  ProbeScope& operator=(const ProbeScope&) = delete;

 private:
  void save(Module& module) {
    modes_.emplace_back(&module, module.is_training(), module.mc_sampling());
    for (const auto& [name, child] : module.children()) save(*child);
  }
  std::vector<std::tuple<Module*, bool, bool>> modes_;
};

}  // namespace

LayerRegistry& LayerRegistry::instance() {
  // Built on first use: no static initialisers, so linking as a static library is safe.
  static LayerRegistry registry = [] {
    LayerRegistry r;
    register_builtin_layers(r);
    return r;
  }();
  return registry;
}

void LayerRegistry::add(const std::string& type, LayerFactory factory) {
  check(static_cast<bool>(factory), "LayerRegistry: the factory for '", type, "' is empty");
  check(!factories_.contains(type), "LayerRegistry: layer type '", type, "' is registered twice");
  factories_.emplace(type, std::move(factory));
}

std::shared_ptr<Module> LayerRegistry::create(const LayerContext& ctx) const {
  const JsonReader reader(ctx.spec, ctx.path);
  const std::string type = reader.string("type");
  auto it = factories_.find(type);
  if (it == factories_.end()) {
    throw ConfigError(reader.path_of("type") + ": unknown layer type '" + type + "'" +
                      did_you_mean(type, types()) + "; known: " + join(types()));
  }
  std::shared_ptr<Module> layer = it->second(ctx);
  check(layer != nullptr, ctx.path, ": the factory for '", type, "' returned no layer");
  return layer;
}

std::vector<std::string> LayerRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, factory] : factories_) out.push_back(type);
  return out;
}

void register_builtin_layers(LayerRegistry& registry) {
  register_basic_layers(registry);
  register_conv_layers(registry);
  register_noise_layers(registry);
}

void require_input_rank(const LayerContext& ctx, const char* type, std::size_t min_rank,
                        std::size_t max_rank, const char* form) {
  if (ctx.input.size() < min_rank || ctx.input.size() > max_rank) {
    throw ConfigError(str(ctx.path, ": ", type, " needs a per-sample input ", form, ", got ",
                          to_string(ctx.input)));
  }
}

std::int64_t inferred_size(const JsonReader& reader, const LayerContext& ctx, std::string_view key,
                           std::int64_t from_input) {
  const std::int64_t given = reader.integer(key, from_input, 1);
  if (given != from_input) {
    throw ConfigError(str(reader.path_of(key), ": is ", given,
                          " but the input reaching this layer is ", to_string(ctx.input), " (",
                          from_input, ")"));
  }
  return given;
}

Shape infer_output_shape(Module& module, const Shape& input) {
  Shape batched = input;
  batched.insert(batched.begin(), 1);
  Tensor y;
  {
    ProbeScope probe(module);
    const SequenceLengthsGuard every_step(module, Tensor());  // the probe is one full sample
    NoGradGuard no_grad;
    y = module.forward(Tensor::zeros(batched));
  }
  check_shape(y.dim() >= 1 && y.size(0) == 1, module.type_name(), ": output ", y.shape(),
              " lost the batch axis of input ", batched);
  return Shape(y.shape().begin() + 1, y.shape().end());
}

Shape build_layers(const JsonReader& reader, const Shape& input, Sequential& into) {
  const nlohmann::json& layers = reader.at("layers");
  const std::string path = reader.path_of("layers");
  if (!layers.is_array() || layers.empty()) {
    throw ConfigError(path + ": must be a non-empty list of layers, got " +
                      (layers.is_array() ? std::string("[]") : std::string(layers.type_name())));
  }
  Shape shape = input;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string layer_path = index_path(path, i);
    std::shared_ptr<Module> layer;
    {
      const InitScope init(InitScope::current_seed(), layer_path);
      layer = LayerRegistry::instance().create(LayerContext{layers[i], layer_path, shape});
    }
    into.add(layer);
    try {
      shape = infer_output_shape(*layer, shape);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(layer_path + ": cannot take the per-sample input " + to_string(shape) +
                        ": " + e.what());
    }
  }
  return shape;
}

std::shared_ptr<Sequential> build_model(const nlohmann::json& model_spec, const Shape& input,
                                        const std::string& path, std::uint64_t seed) {
  const JsonReader reader(model_spec, path);
  reader.allow_only({"type", "layers"});
  reader.string("type", "sequential", {"sequential"});
  for (std::int64_t size : input) {
    if (size < 1) {
      throw ConfigError(path + ": the input shape " + to_string(input) +
                        " has an empty axis; every size must be >= 1");
    }
  }
  auto model = std::make_shared<Sequential>();
  const InitScope init(seed, path);
  build_layers(reader, input, *model);
  model->set_path(path);
  return model;
}

}  // namespace dither
