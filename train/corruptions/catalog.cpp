#include "train/corruptions/catalog.h"

#include <algorithm>

#include "train/corruptions/blur.h"
#include "train/corruptions/digital.h"
#include "train/corruptions/geometry.h"
#include "train/corruptions/jpeg.h"
#include "train/corruptions/noise.h"

namespace dither {
namespace {

using ImageFn = Tensor (*)(const Tensor&, int, const RandomStream&, ValueRange);
using TabularFn = Tensor (*)(const Tensor&, int, const RandomStream&, const FeatureStats&);

Corruption image(const char* name, ImageFn fn) {
  return {name, InputKind::image,
          [fn](const Tensor& x, int severity, const RandomStream& stream,
               const CorruptionData& data) { return fn(x, severity, stream, data.range); }};
}

Corruption tabular(const char* name, TabularFn fn, bool whole_set = false) {
  return {name, InputKind::tabular,
          [fn, name](const Tensor& x, int severity, const RandomStream& stream,
                     const CorruptionData& data) {
            check(data.features != nullptr, name, ": needs the training set's statistics");
            return fn(x, severity, stream, *data.features);
          },
          whole_set};
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

std::string corruption_names(InputKind kind) {
  std::string names;
  for (const Corruption& c : corruption_catalog()) {
    if (c.kind == kind) names += (names.empty() ? "" : ", ") + c.name;
  }
  return names;
}

}  // namespace dither
