#include <cstdint>
#include <memory>

#include "core/error.h"
#include "layers/activations.h"
#include "layers/embedding.h"
#include "layers/flatten.h"
#include "layers/init.h"
#include "layers/linear.h"
#include "layers/lstm.h"
#include "layers/mean_over_time.h"
#include "layers/registry.h"
#include "layers/residual.h"

namespace dither {
namespace {

std::shared_ptr<Module> make_linear(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "in", "out", "bias", "init"});
  require_input_rank(ctx, "linear", 1, SIZE_MAX, "with a feature axis");
  LinearOptions options;
  options.in = inferred_size(r, ctx, "in", ctx.input.back());
  options.out = r.integer("out", std::nullopt, 1, kMaxLayerWidth);
  options.bias = r.boolean("bias", true);
  options.init = read_init(r);
  return std::make_shared<Linear>(options);
}

std::shared_ptr<Module> make_flatten(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "start_axis"});
  require_input_rank(ctx, "flatten", 1, SIZE_MAX, "with at least one axis");
  return std::make_shared<Flatten>(
      r.integer("start_axis", 1, 1, static_cast<std::int64_t>(ctx.input.size())));
}

std::shared_ptr<Module> make_embedding(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "num_embeddings", "dim"});
  EmbeddingOptions options;
  options.num_embeddings = r.integer("num_embeddings", std::nullopt, 1, kMaxLayerWidth);
  options.dim = r.integer("dim", std::nullopt, 1, kMaxLayerWidth);
  return std::make_shared<Embedding>(options);
}

std::shared_ptr<Module> make_lstm(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "in", "hidden", "return_sequences"});
  require_input_rank(ctx, "lstm", 2, 2, "[T, F]");
  LSTMOptions options;
  options.in = inferred_size(r, ctx, "in", ctx.input[1]);
  options.hidden = r.integer("hidden", std::nullopt, 1, kMaxLayerWidth);
  options.return_sequences = r.boolean("return_sequences", false);
  return std::make_shared<LSTM>(options);
}

std::shared_ptr<Module> make_leaky_relu(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "slope"});
  return std::make_shared<LeakyReLU>(r.number("slope", 0.01, 0.0));
}

std::shared_ptr<Module> make_elu(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "alpha"});
  return std::make_shared<ELU>(r.number("alpha", 1.0, 0.0));
}

std::shared_ptr<Module> make_softmax(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "axis"});
  // The axis counts the batch axis too, as PyTorch's nn.Softmax(dim) does.
  const auto rank = static_cast<std::int64_t>(ctx.input.size()) + 1;
  return std::make_shared<Softmax>(r.integer("axis", -1, -rank, rank - 1));
}

template <class Layer>
void add_plain(LayerRegistry& registry, const std::string& type) {
  registry.add(type, [](const LayerContext& ctx) {
    JsonReader(ctx.spec, ctx.path).allow_only({"type"});
    return std::make_shared<Layer>();
  });
}

// The branch of a residual block must give back the shape it was given: x + f(x).
std::shared_ptr<Module> make_residual(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "layers"});
  auto block = std::make_shared<Residual>();
  const Shape out = build_layers(r, ctx.input, *block);
  if (out != ctx.input) {
    throw ConfigError(str(ctx.path, ": the residual branch maps ", to_string(ctx.input), " to ",
                          to_string(out), "; x + f(x) needs both shapes equal"));
  }
  return block;
}

std::shared_ptr<Module> make_sequential(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "layers"});
  auto block = std::make_shared<Sequential>();
  build_layers(r, ctx.input, *block);
  return block;
}

}  // namespace

void register_basic_layers(LayerRegistry& registry) {
  registry.add("linear", make_linear);
  registry.add("flatten", make_flatten);
  registry.add("embedding", make_embedding);
  registry.add("lstm", make_lstm);
  registry.add("mean_over_time", [](const LayerContext& ctx) {
    JsonReader(ctx.spec, ctx.path).allow_only({"type"});
    require_input_rank(ctx, "mean_over_time", 2, 2, "[T, F]");
    return std::make_shared<MeanOverTime>();
  });
  add_plain<ReLU>(registry, "relu");
  registry.add("leaky_relu", make_leaky_relu);
  add_plain<GELU>(registry, "gelu");
  add_plain<Tanh>(registry, "tanh");
  add_plain<Sigmoid>(registry, "sigmoid");
  registry.add("elu", make_elu);
  add_plain<SELU>(registry, "selu");
  registry.add("softmax", make_softmax);
  registry.add("residual", make_residual);
  registry.add("sequential", make_sequential);
}

}  // namespace dither
