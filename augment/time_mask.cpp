#include "augment/time_mask.h"

#include <algorithm>
#include <cmath>

#include "augment/sequence.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

std::vector<std::vector<TimeSpan>> time_mask_spans(const std::vector<std::int64_t>& lengths,
                                                   const TimeMaskOptions& options,
                                                   const RandomStream& stream) {
  const RandomStream widths = stream.child(0);
  const RandomStream starts = stream.child(1);
  std::vector<std::vector<TimeSpan>> spans(lengths.size());
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    const std::int64_t length = lengths[b];
    std::int64_t cap = static_cast<std::int64_t>(
        std::floor(options.max_fraction * static_cast<double>(length) + 1e-9));
    if (options.max_width > 0) cap = std::min(cap, options.max_width);
    for (std::int64_t k = 0; k < options.count; ++k) {
      const auto i = static_cast<std::uint64_t>(static_cast<std::int64_t>(b) * options.count + k);
      const std::int64_t width = widths.integer(i, cap + 1);
      spans[b].push_back({starts.integer(i, length - width + 1), width});
    }
  }
  return spans;
}

Tensor time_mask(const Tensor& x, const std::vector<std::int64_t>& lengths,
                 const std::vector<std::vector<TimeSpan>>& spans, TimeFill fill) {
  check_shape(x.dim() == 3 && static_cast<std::size_t>(x.size(0)) == lengths.size() &&
                  spans.size() == lengths.size(),
              "time_mask: needs inputs [B, T, F] and B lengths and span lists, got ", x.shape(),
              ", ", lengths.size(), " and ", spans.size());
  const std::int64_t steps = x.size(1);
  const std::int64_t features = x.size(2);
  Tensor out = x.clone();
  parallel_for(
      x.size(0),
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
          const std::int64_t length = lengths[static_cast<std::size_t>(b)];
          const float* in = x.ptr() + b * steps * features;
          float* o = out.ptr() + b * steps * features;
          std::vector<float> value(static_cast<std::size_t>(features), 0.0f);
          if (fill == TimeFill::mean && length > 0) {
            for (std::int64_t f = 0; f < features; ++f) {
              double sum = 0.0;
              for (std::int64_t t = 0; t < length; ++t) sum += in[t * features + f];
              value[static_cast<std::size_t>(f)] =
                  static_cast<float>(sum / static_cast<double>(length));
            }
          }
          for (const TimeSpan& span : spans[static_cast<std::size_t>(b)]) {
            check(span.start >= 0 && span.width >= 0 && span.start + span.width <= length,
                  "time_mask: span [", span.start, ", ", span.start + span.width,
                  ") outside the length ", length);
            for (std::int64_t t = span.start; t < span.start + span.width; ++t) {
              std::copy(value.begin(), value.end(), o + t * features);
            }
          }
        }
      },
      16);
  return out;
}

TimeMaskHook::TimeMaskHook(TimeMaskOptions options, double p) : Hook(p), options_(options) {}

std::unique_ptr<Hook> TimeMaskHook::from_json(const nlohmann::json& spec, const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "count", "max_width", "max_fraction", "fill", "p"});
  TimeMaskOptions o;
  o.count = r.integer("count", o.count, 0, 1000);
  o.max_width = r.integer("max_width", o.max_width, 0);
  o.max_fraction = r.number("max_fraction", o.max_fraction, 0.0, 1.0);
  o.fill = r.string("fill", "zero", {"zero", "mean"}) == "mean" ? TimeFill::mean : TimeFill::zero;
  return std::make_unique<TimeMaskHook>(o, r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json TimeMaskHook::to_json() const {
  return {{"type", type_name()},
          {"count", options_.count},
          {"max_width", options_.max_width},
          {"max_fraction", options_.max_fraction},
          {"fill", options_.fill == TimeFill::mean ? "mean" : "zero"},
          {"p", p()}};
}

void TimeMaskHook::setup(const HookSetup& setup) { require_sequence_inputs(setup, "time_mask"); }

void TimeMaskHook::on_batch(StepContext& ctx, Batch& batch) {
  if (options_.count == 0 || options_.max_fraction == 0.0 || !fires(ctx)) return;
  const std::vector<std::int64_t> lengths = batch_lengths(batch, "time_mask");
  batch.inputs =
      time_mask(batch.inputs, lengths, time_mask_spans(lengths, options_, ctx.stream("time_mask")),
                options_.fill);
}

}  // namespace dither
