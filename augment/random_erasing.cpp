#include "augment/random_erasing.h"

#include <cmath>
#include <vector>

#include "augment/gaussian.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

constexpr int kTries = 10;

// A [min, max] list under `key`, both in `interval` and min <= max; `fallback` when absent.
std::pair<double, double> read_range(const JsonReader& r, std::string_view key,
                                     std::pair<double, double> fallback, const Interval& interval) {
  if (!r.has(key)) return fallback;
  const nlohmann::json& j = r.at(key);
  const std::string path = r.path_of(key);
  if (!j.is_array() || j.size() != 2) {
    throw ConfigError(path + ": must be a list of two numbers [min, max], got " + j.dump());
  }
  const double a = JsonReader::number_at(j[0], index_path(path, 0), interval);
  const double b = JsonReader::number_at(j[1], index_path(path, 1), interval);
  if (a > b) throw ConfigError(str(path, ": must be [min, max] with min <= max, got ", j.dump()));
  return {a, b};
}

}  // namespace

std::optional<Box> erasing_box(std::int64_t h, std::int64_t w, std::pair<double, double> scale,
                               std::pair<double, double> ratio, const RandomStream& stream) {
  const double log_low = std::log(ratio.first);
  const double log_high = std::log(ratio.second);
  for (int t = 0; t < kTries; ++t) {
    const RandomStream s = stream.child(static_cast<std::uint64_t>(t));
    const double area =
        static_cast<double>(h * w) * (scale.first + (scale.second - scale.first) * s.uniform(0));
    const double aspect = std::exp(log_low + (log_high - log_low) * s.uniform(1));
    const auto height = static_cast<std::int64_t>(std::lround(std::sqrt(area * aspect)));
    const auto width = static_cast<std::int64_t>(std::lround(std::sqrt(area / aspect)));
    if (height < h && width < w) {
      return Box{s.integer(2, h - height + 1), s.integer(3, w - width + 1), height, width};
    }
  }
  return std::nullopt;
}

Tensor random_erase(const Tensor& x, const RandomErasingOptions& options, float low, float high,
                    const RandomStream& stream) {
  check_shape(x.dim() == 4, "random_erase: needs images [B, C, H, W], got ", x.shape());
  const std::int64_t batch = x.size(0);
  const RandomStream chance = stream.child(0);
  const RandomStream geometry = stream.child(1);
  const RandomStream values = stream.child(2);
  std::vector<Box> boxes(static_cast<std::size_t>(batch));
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto i = static_cast<std::uint64_t>(b);
    if (!chance.bernoulli(i, options.probability)) continue;
    boxes[i] = erasing_box(x.size(2), x.size(3), options.scale, options.ratio, geometry.child(i))
                   .value_or(Box{});
  }
  const bool bounded = std::isfinite(low) && std::isfinite(high);
  const auto draw = [&](std::uint64_t i) {
    return bounded ? low + (high - low) * values.uniform(i) : values.normal(i);
  };
  const std::int64_t channels = x.size(1);
  const auto constant = static_cast<float>(options.value);
  return fill_boxes(x, boxes, 1, [&](std::int64_t b, std::int64_t c, std::uint64_t i) {
    switch (options.fill) {
      case EraseFill::random:
        return draw(static_cast<std::uint64_t>(b * channels + c));
      case EraseFill::pixel:
        return draw(i);
      case EraseFill::constant:
        break;
    }
    return constant;
  });
}

RandomErasingHook::RandomErasingHook(RandomErasingOptions options, double p)
    : Hook(p), options_(options) {}

std::unique_ptr<Hook> RandomErasingHook::from_json(const nlohmann::json& spec,
                                                   const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "probability", "scale", "ratio", "value", "p"});
  RandomErasingOptions o;
  o.probability = r.number("probability", 0.5, 0.0, 1.0);
  o.scale = read_range(r, "scale", o.scale, Interval::closed(0.0, 1.0));
  o.ratio = read_range(r, "ratio", o.ratio, Interval::above(0.0));
  if (r.has("value") && r.at("value").is_string()) {
    o.fill = r.string("value", std::nullopt, {"random", "pixel"}) == "random" ? EraseFill::random
                                                                              : EraseFill::pixel;
  } else {
    o.value = r.number("value", 0.0);
  }
  return std::make_unique<RandomErasingHook>(o, r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json RandomErasingHook::to_json() const {
  nlohmann::json value = options_.value;
  if (options_.fill == EraseFill::random) value = "random";
  if (options_.fill == EraseFill::pixel) value = "pixel";
  return {{"type", type_name()},
          {"probability", options_.probability},
          {"scale", {options_.scale.first, options_.scale.second}},
          {"ratio", {options_.ratio.first, options_.ratio.second}},
          {"value", value},
          {"p", p()}};
}

void RandomErasingHook::setup(const HookSetup& setup) {
  require_image_inputs(setup, "random_erasing");
}

void RandomErasingHook::on_batch(StepContext& ctx, Batch& batch) {
  if (options_.probability == 0.0 || !fires(ctx)) return;
  const auto [low, high] = clip_range(*ctx.input, true);
  batch.inputs = random_erase(batch.inputs, options_, low, high, ctx.stream("random_erasing"));
}

}  // namespace dither
