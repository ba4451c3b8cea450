#include "augment/spec_augment.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {
namespace {

MaskSpan draw_span(const RandomStream& s, std::uint64_t i, std::int64_t bound,
                   std::int64_t extent) {
  const std::int64_t width = std::min(s.integer(i, bound + 1), extent);
  return {s.integer(i + 1, extent - width + 1), width};
}

// The valid frames [0, length) of one sample's planes [planes, frames], warped in time.
void warp(float* x, std::int64_t planes, std::int64_t frames, std::int64_t length,
          std::int64_t from, std::int64_t to) {
  std::vector<float> source(static_cast<std::size_t>(length));
  for (std::int64_t p = 0; p < planes; ++p) {
    float* row = x + p * frames;
    std::copy_n(row, length, source.begin());
    for (std::int64_t t = 0; t < length; ++t) {
      const double s = t <= to ? static_cast<double>(t) * from / to
                               : from + static_cast<double>(t - to) * (length - 1 - from) /
                                            static_cast<double>(length - 1 - to);
      const auto lo = static_cast<std::int64_t>(std::floor(s));
      const std::int64_t hi = std::min(lo + 1, length - 1);
      const auto w = static_cast<float>(s - static_cast<double>(lo));
      row[t] = (1.0f - w) * source[static_cast<std::size_t>(lo)] +
               w * source[static_cast<std::size_t>(hi)];
    }
  }
}

}  // namespace

SpecMasks draw_spec_masks(const SpecAugmentOptions& o, std::int64_t bands, std::int64_t length,
                          const RandomStream& stream) {
  SpecMasks m;
  const std::int64_t w = o.time_warp;
  if (w > 0 && length > 2 * w + 1) {
    m.warp_from = w + 1 + stream.integer(0, length - 2 * w - 2);
    m.warp_to = m.warp_from - w + stream.integer(1, 2 * w + 1);
  }
  for (std::int64_t k = 0; k < o.freq_masks; ++k) {
    m.freq.push_back(draw_span(stream, 2 + 2 * static_cast<std::uint64_t>(k), o.freq_width, bands));
  }
  const auto cap =
      static_cast<std::int64_t>(std::floor(o.max_time_fraction * static_cast<double>(length)));
  for (std::int64_t k = 0; k < o.time_masks; ++k) {
    m.time.push_back(draw_span(stream, 100 + 2 * static_cast<std::uint64_t>(k),
                               std::min(o.time_width, cap), length));
  }
  return m;
}

Tensor spec_augment(const Tensor& x, const Tensor& lengths, const SpecAugmentOptions& o,
                    const RandomStream& stream) {
  check_shape(x.dim() == 4, "spec_augment: needs spectrograms [B, C, bands, frames], got ",
              x.shape());
  const std::int64_t b = x.size(0);
  const std::int64_t c = x.size(1);
  const std::int64_t bands = x.size(2);
  const std::int64_t frames = x.size(3);
  check_shape(!lengths.defined() || lengths.numel() == b, "spec_augment: ", lengths.shape(),
              " lengths for a batch of ", b);
  Tensor out = x.clone();
  float* y = out.ptr();
  parallel_for(
      b,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const std::int64_t length =
              lengths.defined()
                  ? std::clamp<std::int64_t>(static_cast<std::int64_t>(lengths.ptr()[i]), 0, frames)
                  : frames;
          if (length == 0) continue;
          const SpecMasks m =
              draw_spec_masks(o, bands, length, stream.child(static_cast<std::uint64_t>(i)));
          float* s = y + i * c * bands * frames;
          if (m.warp_from != m.warp_to) warp(s, c * bands, frames, length, m.warp_from, m.warp_to);
          double sum = 0.0;
          if (o.mean_fill) {
            for (std::int64_t p = 0; p < c * bands; ++p) {
              for (std::int64_t t = 0; t < length; ++t) sum += s[p * frames + t];
            }
          }
          const auto fill = static_cast<float>(sum / static_cast<double>(c * bands * length));
          for (std::int64_t ch = 0; ch < c; ++ch) {
            float* plane = s + ch * bands * frames;
            for (const MaskSpan& f : m.freq) {
              for (std::int64_t band = f.start; band < f.start + f.width; ++band) {
                std::fill_n(plane + band * frames, length, fill);
              }
            }
            for (const MaskSpan& t : m.time) {
              for (std::int64_t band = 0; band < bands; ++band) {
                std::fill_n(plane + band * frames + t.start, t.width, fill);
              }
            }
          }
        }
      },
      1);
  return out;
}

SpecAugmentHook::SpecAugmentHook(SpecAugmentOptions options, double p)
    : Hook(p), options_(options) {}

std::unique_ptr<Hook> SpecAugmentHook::from_json(const nlohmann::json& spec,
                                                 const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "freq_masks", "freq_width", "time_masks", "time_width", "max_time_fraction",
                "time_warp", "fill", "p"});
  SpecAugmentOptions o;
  o.freq_masks = r.integer("freq_masks", o.freq_masks, 0, 100);
  o.freq_width = r.integer("freq_width", o.freq_width, 0);
  o.time_masks = r.integer("time_masks", o.time_masks, 0, 100);
  o.time_width = r.integer("time_width", o.time_width, 0);
  o.max_time_fraction = r.number("max_time_fraction", o.max_time_fraction, 0.0, 1.0);
  o.time_warp = r.integer("time_warp", o.time_warp, 0);
  o.mean_fill = r.string("fill", "mean", {"mean", "zero"}) == "mean";
  return std::make_unique<SpecAugmentHook>(o, r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json SpecAugmentHook::to_json() const {
  return {{"type", type_name()},
          {"freq_masks", options_.freq_masks},
          {"freq_width", options_.freq_width},
          {"time_masks", options_.time_masks},
          {"time_width", options_.time_width},
          {"max_time_fraction", options_.max_time_fraction},
          {"time_warp", options_.time_warp},
          {"fill", options_.mean_fill ? "mean" : "zero"},
          {"p", p()}};
}

void SpecAugmentHook::setup(const HookSetup& setup) {
  if (setup.input.kind == InputKind::spectrogram && setup.input.sample_shape.size() == 3) return;
  const InputKind kind = setup.input.kind;
  const std::string instead = kind == InputKind::image      ? "cutout or random_erasing"
                              : kind == InputKind::sequence ? "time masking"
                              : kind == InputKind::tokens   ? "token masking"
                                                            : "feature_mask";
  throw ConfigError(setup.path + ": spec_augment masks bands and frames of spectrograms " +
                    "[C, bands, frames]; this is " + to_string(kind) + " data of shape " +
                    str(setup.input.sample_shape) + " (use " + instead +
                    " instead, or spoken_digits with \"features\": \"log_mel\")");
}

void SpecAugmentHook::on_batch(StepContext& ctx, Batch& batch) {
  if (!fires(ctx)) return;
  batch.inputs = spec_augment(batch.inputs, batch.lengths, options_, ctx.stream("spec_augment"));
}

}  // namespace dither
