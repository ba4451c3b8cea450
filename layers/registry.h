#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "layers/module.h"
#include "layers/sequential.h"

namespace dither {

/// What a layer factory sees: its JSON spec, that spec's path for error messages, and the shape
/// of one sample reaching it (no batch axis), from which it infers in_features or in_channels.
struct LayerContext {
  const nlohmann::json& spec;
  std::string path;  ///< "model.layers[3]"
  Shape input;       ///< per-sample input shape, e.g. {1, 28, 28}
};

/// Largest width a layer accepts (out, hidden, dim, num_embeddings): past it a typo would try to
/// allocate gigabytes instead of failing with a clear message.
inline constexpr std::int64_t kMaxLayerWidth = std::int64_t{1} << 20;

using LayerFactory = std::function<std::shared_ptr<Module>(const LayerContext&)>;

/// Maps a JSON "type" to a factory. Built on first use by register_builtin_layers(): no static
/// initialisers, so nothing vanishes when linking a static library.
class LayerRegistry {
 public:
  /// The process-wide registry, holding every builtin layer type.
  static LayerRegistry& instance();
  /// Throws if `type` is already registered.
  void add(const std::string& type, LayerFactory factory);
  /// Throws ConfigError naming ctx.path for an unknown type (with a suggestion and the list).
  std::shared_ptr<Module> create(const LayerContext& ctx) const;
  /// Registered type names, sorted.
  std::vector<std::string> types() const;

 private:
  std::map<std::string, LayerFactory> factories_;
};

/// Every JSON layer name, in one place; calls the three family lists below.
void register_builtin_layers(LayerRegistry& registry);
void register_basic_layers(LayerRegistry& registry);  ///< linear, activations, flatten, residual...
void register_conv_layers(LayerRegistry& registry);   ///< conv, pooling, normalisation
void register_noise_layers(LayerRegistry& registry);  ///< dropout family, gaussian noise

/// Throws ConfigError naming ctx.path unless the per-sample input has between min_rank and
/// max_rank axes; `form` describes the expected input ("[C,H,W]").
void require_input_rank(const LayerContext& ctx, const char* type, std::size_t min_rank,
                        std::size_t max_rank, const char* form);

/// A size the input shape fixes ("in", "features"): optional in the spec, where it must agree
/// with `from_input`; returns it.
std::int64_t inferred_size(const JsonReader& reader, const LayerContext& ctx, std::string_view key,
                           std::int64_t from_input);

/// Per-sample output shape of `module` for per-sample input `input`: a forward on a batch of one
/// zeros under NoGradGuard in eval mode. Leaves no trace: every module's train and MC-sampling
/// mode is restored, even when the forward throws.
Shape infer_output_shape(Module& module, const Shape& input);

/// Builds reader's "layers" (a non-empty array) into `into`, in order: entry i at path
/// "<reader.path()>.layers[i]", given the per-sample shape the entries before it produce.
/// Returns the per-sample output shape. Containers (residual, sequential) build through this.
Shape build_layers(const JsonReader& reader, const Shape& input, Sequential& into);

/// The model of a config, {"layers": [...]}, for per-sample input shape `input` (no batch axis).
/// Layer k's initial weights draw from (seed, "<path>.layers[k]") only (see InitScope); the model
/// and its layers are named for their noise streams ("model", "model.3", see Module::set_path).
/// Strict: any other key is an error naming `path`, except "type": "sequential", which
/// Sequential::to_json() writes, so a model's spec builds the same model again.
std::shared_ptr<Sequential> build_model(const nlohmann::json& model_spec, const Shape& input,
                                        const std::string& path = "model", std::uint64_t seed = 0);

}  // namespace dither
