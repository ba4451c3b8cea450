#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/init.h"
#include "layers/layer_norm.h"
#include "layers/pool.h"
#include "layers/registry.h"

namespace dither {
namespace {

// An integer or [h, w].
Size2 size2(const JsonReader& r, std::string_view key, std::optional<Size2> fallback,
            std::int64_t low) {
  std::optional<std::vector<std::int64_t>> fallback_list;
  if (fallback) fallback_list = std::vector<std::int64_t>{(*fallback)[0], (*fallback)[1]};
  const std::vector<std::int64_t> v = r.integers(key, fallback_list, 2, low);
  return {v[0], v[1]};
}

double positive_eps(const JsonReader& r) {
  const double eps = r.number("eps", 1e-5, 0.0);
  if (eps <= 0.0) throw ConfigError(str(r.path_of("eps"), ": must be > 0, got ", eps));
  return eps;
}

std::shared_ptr<Module> make_conv2d(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "in", "out", "kernel", "stride", "padding", "dilation", "bias", "init"});
  require_input_rank(ctx, "conv2d", 3, 3, "[C,H,W]");
  Conv2dOptions options;
  options.in = inferred_size(r, ctx, "in", ctx.input[0]);
  options.out = r.integer("out", std::nullopt, 1, kMaxLayerWidth);
  options.kernel = size2(r, "kernel", std::nullopt, 1);
  options.stride = size2(r, "stride", Size2{1, 1}, 1);
  options.padding = size2(r, "padding", Size2{0, 0}, 0);
  options.dilation = size2(r, "dilation", Size2{1, 1}, 1);
  options.bias = r.boolean("bias", true);
  options.init = read_init(r);
  return std::make_shared<Conv2d>(options);
}

std::shared_ptr<Module> make_conv1d(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "in", "out", "kernel", "stride", "padding", "dilation", "bias", "init"});
  require_input_rank(ctx, "conv1d", 2, 2, "[C,L]");
  Conv1dOptions options;
  options.in = inferred_size(r, ctx, "in", ctx.input[0]);
  options.out = r.integer("out", std::nullopt, 1, kMaxLayerWidth);
  options.kernel = r.integer("kernel", std::nullopt, 1);
  options.stride = r.integer("stride", 1, 1);
  options.padding = r.integer("padding", 0, 0);
  options.dilation = r.integer("dilation", 1, 1);
  options.bias = r.boolean("bias", true);
  options.init = read_init(r);
  return std::make_shared<Conv1d>(options);
}

Pool2dOptions read_pool(const JsonReader& r, const LayerContext& ctx, const char* type) {
  require_input_rank(ctx, type, 3, 3, "[C,H,W]");
  Pool2dOptions options;
  options.kernel = size2(r, "kernel", std::nullopt, 1);
  options.stride = size2(r, "stride", options.kernel, 1);
  options.padding = size2(r, "padding", Size2{0, 0}, 0);
  for (std::size_t a = 0; a < 2; ++a) {
    if (2 * options.padding[a] > options.kernel[a]) {
      throw ConfigError(str(r.path_of("padding"), ": must be at most half the kernel [",
                            options.kernel[0], ",", options.kernel[1], "], got [",
                            options.padding[0], ",", options.padding[1], "]"));
    }
  }
  return options;
}

std::shared_ptr<Module> make_max_pool2d(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "kernel", "stride", "padding"});
  return std::make_shared<MaxPool2d>(read_pool(r, ctx, "max_pool2d"));
}

std::shared_ptr<Module> make_avg_pool2d(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "kernel", "stride", "padding", "count_include_pad"});
  return std::make_shared<AvgPool2d>(read_pool(r, ctx, "avg_pool2d"),
                                     r.boolean("count_include_pad", true));
}

std::shared_ptr<Module> make_global_avg_pool(const LayerContext& ctx) {
  JsonReader(ctx.spec, ctx.path).allow_only({"type"});
  require_input_rank(ctx, "global_avg_pool", 2, SIZE_MAX,
                     "[C,...] with an axis after the channels");
  return std::make_shared<GlobalAvgPool>();
}

template <class Layer>
LayerFactory batch_norm_factory(const char* type, std::size_t min_rank, std::size_t max_rank,
                                const char* form) {
  return [=](const LayerContext& ctx) -> std::shared_ptr<Module> {
    const JsonReader r(ctx.spec, ctx.path);
    r.allow_only({"type", "features", "momentum", "eps"});
    require_input_rank(ctx, type, min_rank, max_rank, form);
    BatchNormOptions options;
    options.features = inferred_size(r, ctx, "features", ctx.input[0]);
    options.momentum = r.number("momentum", 0.1, 0.0, 1.0);
    options.eps = positive_eps(r);
    return std::make_shared<Layer>(options);
  };
}

std::shared_ptr<Module> make_layer_norm(const LayerContext& ctx) {
  const JsonReader r(ctx.spec, ctx.path);
  r.allow_only({"type", "axes", "eps"});
  require_input_rank(ctx, "layer_norm", 1, SIZE_MAX, "with at least one axis");
  const auto rank = static_cast<std::int64_t>(ctx.input.size());
  LayerNormOptions options;
  options.normalized_shape.assign(ctx.input.end() - r.integer("axes", 1, 1, rank), ctx.input.end());
  options.eps = positive_eps(r);
  return std::make_shared<LayerNorm>(options);
}

}  // namespace

void register_conv_layers(LayerRegistry& registry) {
  registry.add("conv1d", make_conv1d);
  registry.add("conv2d", make_conv2d);
  registry.add("max_pool2d", make_max_pool2d);
  registry.add("avg_pool2d", make_avg_pool2d);
  registry.add("global_avg_pool", make_global_avg_pool);
  registry.add("batch_norm1d",
               batch_norm_factory<BatchNorm1d>("batch_norm1d", 1, 2, "[C] or [C,L]"));
  registry.add("batch_norm2d", batch_norm_factory<BatchNorm2d>("batch_norm2d", 3, 3, "[C,H,W]"));
  registry.add("layer_norm", make_layer_norm);
}

}  // namespace dither
