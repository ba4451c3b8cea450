#include "train/corruptions/catalog.h"

#include <algorithm>

#include "core/lengths.h"
#include "train/corruptions/blur.h"
#include "train/corruptions/digital.h"
#include "train/corruptions/geometry.h"
#include "train/corruptions/jpeg.h"
#include "train/corruptions/noise.h"
#include "train/corruptions/sequence.h"
#include "train/corruptions/tokens.h"

namespace dither {
namespace {

using ImageFn = Tensor (*)(const Tensor&, int, const RandomStream&, ValueRange);
using TabularFn = Tensor (*)(const Tensor&, int, const RandomStream&, const FeatureStats&);

Corruption image(const char* name, ImageFn fn) {
  return {name,
          InputKind::image,
          [fn](const Tensor& x, int severity, const RandomStream& stream,
               const CorruptionData& data) { return fn(x, severity, stream, data.range); },
          false,
          {}};
}

Corruption tabular(const char* name, TabularFn fn, bool whole_set = false) {
  return {name,
          InputKind::tabular,
          [fn, name](const Tensor& x, int severity, const RandomStream& stream,
                     const CorruptionData& data) {
            check(data.features != nullptr, name, ": needs the training set's statistics");
            return fn(x, severity, stream, *data.features);
          },
          whole_set,
          {}};
}

using TokenFn = Padded (*)(const Padded&, int, const RandomStream&, const InputInfo&);
using SequenceFn = Padded (*)(const Padded&, int, const RandomStream&);

Corruption tokens(const char* name, TokenFn fn) {
  return {name,
          InputKind::tokens,
          {},
          false,
          [fn, name](const Padded& x, int severity, const RandomStream& stream,
                     const CorruptionData& data) {
            check(data.input != nullptr, name, ": needs the vocabulary (CorruptionData::input)");
            return fn(x, severity, stream, *data.input);
          }};
}

Corruption sequence(const char* name, SequenceFn fn) {
  return {name,
          InputKind::sequence,
          {},
          false,
          [fn](const Padded& x, int severity, const RandomStream& stream, const CorruptionData&) {
            return fn(x, severity, stream);
          }};
}

}  // namespace

const std::vector<Corruption>& corruption_catalog() {
  static const std::vector<Corruption> all = {
      image("gaussian_noise", gaussian_noise),
      image("shot_noise", shot_noise),
      image("impulse_noise", impulse_noise),
      image("speckle_noise", speckle_noise),
      image("gaussian_blur", gaussian_blur),
      image("defocus_blur", defocus_blur),
      image("brightness", brightness),
      image("contrast", contrast),
      image("occlusion", occlusion),
      image("pixelate", pixelate),
      image("jpeg", jpeg_quantise),
      image("rotate", rotate),
      image("translate", translate),
      tabular("feature_noise", feature_noise),
      tabular("missing_features", missing_features),
      tabular("feature_shift", feature_shift, true),
      tabular("feature_scale", feature_scale, true),
      tokens("token_deletion", token_deletion),
      tokens("token_substitution", token_substitution),
      tokens("token_swap", token_swap),
      tokens("token_insertion", token_insertion),
      sequence("sequence_noise", sequence_noise),
      sequence("time_shift", time_shift),
      sequence("dropped_steps", dropped_steps),
      sequence("speed_change", speed_change),
  };
  return all;
}

const Corruption* find_corruption(const std::string& name) {
  for (const Corruption& c : corruption_catalog()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Tensor corrupt_each(const Corruption& corruption, const Tensor& inputs,
                    std::span<const std::int64_t> indices, int severity, const RandomStream& stream,
                    const CorruptionData& data) {
  check_shape(inputs.dim() >= 1 && static_cast<std::size_t>(inputs.size(0)) == indices.size(),
              corruption.name, ": inputs ", inputs.shape(), " for ", indices.size(), " indices");
  check(static_cast<bool>(corruption.apply), corruption.name,
        ": corrupts variable-length inputs; pass their lengths (Padded)");
  if (corruption.whole_set) return corruption.apply(inputs, severity, stream, data);
  Shape one = inputs.shape();
  one[0] = 1;
  const std::int64_t per = inputs.numel() / std::max<std::int64_t>(1, inputs.size(0));
  Tensor out = Tensor::empty(inputs.shape());
  const float* in = inputs.ptr();
  float* o = out.ptr();
  parallel_for(
      inputs.size(0),
      [&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
          const Tensor sample = Tensor::from(std::span<const float>(in + b * per, per), one);
          const Tensor done = corruption.apply(
              sample, severity, stream.child(static_cast<std::uint64_t>(indices[b])), data);
          std::copy(done.ptr(), done.ptr() + per, o + b * per);
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, per)));
  return out;
}

Padded corrupt_each(const Corruption& corruption, const Padded& inputs,
                    std::span<const std::int64_t> indices, int severity, const RandomStream& stream,
                    const CorruptionData& data) {
  const Tensor& x = inputs.inputs;
  check_shape(x.dim() >= 2 && static_cast<std::size_t>(x.size(0)) == indices.size(),
              corruption.name, ": inputs ", x.shape(), " for ", indices.size(), " indices");
  check(static_cast<bool>(corruption.apply_padded), corruption.name,
        ": corrupts fixed-size inputs; pass a Tensor");
  const std::vector<std::int64_t> lengths =
      valid_steps(inputs.lengths, x.size(0), x.size(1), corruption.name);
  Shape one = x.shape();
  one[0] = 1;
  const std::int64_t per = x.numel() / std::max<std::int64_t>(1, x.size(0));
  Padded out{Tensor::empty(x.shape()), Tensor::empty({x.size(0)})};
  parallel_for(
      x.size(0),
      [&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
          const Padded sample{
              Tensor::from(std::span<const float>(x.ptr() + b * per, per), one),
              Tensor::full({1}, static_cast<float>(lengths[static_cast<std::size_t>(b)]))};
          const Padded done = corruption.apply_padded(
              sample, severity, stream.child(static_cast<std::uint64_t>(indices[b])), data);
          std::copy(done.inputs.ptr(), done.inputs.ptr() + per, out.inputs.ptr() + b * per);
          out.lengths.ptr()[b] = done.lengths.ptr()[0];
        }
      },
      std::max<std::int64_t>(1, kGrainSize / std::max<std::int64_t>(1, per)));
  return out;
}

std::string corrupted_inputs(InputKind kind) {
  switch (kind) {
    case InputKind::image:
      return "images [C, H, W]";
    case InputKind::tabular:
      return "tabular rows [F]";
    case InputKind::tokens:
      return "tokens [L]";
    case InputKind::sequence:
      return "sequences [T, F]";
    default:
      return to_string(kind) + " inputs";
  }
}

std::size_t corrupted_rank(InputKind kind) {
  switch (kind) {
    case InputKind::image:
      return 3;
    case InputKind::sequence:
      return 2;
    default:
      return 1;
  }
}

std::string corruption_names(InputKind kind) {
  std::string names;
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind == kind) names += (names.empty() ? "" : ", ") + c.name;
  }
  return names;
}

}  // namespace dither
