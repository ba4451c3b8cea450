#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"

namespace dither {

/// SpecAugment's settings (Park et al. 2019). Widths are drawn uniformly from [0, width]; time
/// mask widths are also at most floor(max_time_fraction * length) (the paper's p, torchaudio's
/// `p`: a proportion, not a probability). Defaults: the LD policy (W 80, F 27, m_F 2, T 100,
/// p 1, m_T 2).
struct SpecAugmentOptions {
  std::int64_t freq_masks = 2;
  std::int64_t freq_width = 27;
  std::int64_t time_masks = 2;
  std::int64_t time_width = 100;
  double max_time_fraction = 1.0;
  std::int64_t time_warp = 80;  ///< W: the warp point moves by up to W frames; 0 turns it off
  bool mean_fill = true;        ///< masked cells take the sample's mean (else 0)
};

/// [start, start + width) along one axis.
struct MaskSpan {
  std::int64_t start = 0;
  std::int64_t width = 0;
};

/// One sample's draws: the time warp (frame `warp_from` moves to `warp_to`; equal when off)
/// and the masks, all inside [0, bands) and the valid frames [0, length).
struct SpecMasks {
  std::int64_t warp_from = 0;
  std::int64_t warp_to = 0;
  std::vector<MaskSpan> freq;
  std::vector<MaskSpan> time;
};

/// The draws for a sample of `bands` bands and `length` valid frames from `stream` (scalar
/// draws 0, 1: the warp; 2 + 2k, 3 + 2k: frequency mask k; 100 + 2k, 101 + 2k: time mask k).
/// Each width is uniform on [0, bound] and its start uniform on [0, extent - width]. The warp
/// needs length > 2 W + 1 (else it is off): its point is uniform on [W + 1, length - W - 1)
/// and moves by a uniform shift in [-W, W] (the paper's w0 and w).
SpecMasks draw_spec_masks(const SpecAugmentOptions& options, std::int64_t bands,
                          std::int64_t length, const RandomStream& stream);

/// SpecAugment of spectrograms x [B, C, bands, frames] with valid lengths [B] in frames
/// (undefined: every frame). Sample b uses draw_spec_masks(..., stream.child(b)): first the
/// time warp of its valid frames, piecewise linear in time (frames [0, from] stretch onto
/// [0, to] and [from, length) onto [to, length), each output frame interpolated linearly
/// between its two nearest source frames, the same for every band and channel), then its masks,
/// filled with the mean of its valid cells or 0. Frames past the length are never touched.
/// A new leaf.
Tensor spec_augment(const Tensor& x, const Tensor& lengths, const SpecAugmentOptions& options,
                    const RandomStream& stream);

/// {"type": "spec_augment", "freq_masks": 2, "freq_width": 27, "time_masks": 2,
/// "time_width": 100, "max_time_fraction": 1.0, "time_warp": 80, "fill": "mean", "p": 1}:
/// SpecAugment with masks drawn per sample (torchaudio's iid_masks) and respecting each
/// sample's length. The defaults are the paper's LD policy, made for 80 bands and utterances
/// of hundreds of frames: for short clips (spoken digits: 40 bands, about 100 frames) choose
/// smaller widths and warp. Differs from torchaudio, whose masks span padded frames and whose
/// `p` is a proportion; here that is max_time_fraction and `p` is the apply probability.
/// Time warp is the piecewise-linear warp of ESPnet's and most reimplementations, not the
/// paper's sparse image warp (TensorFlow-only); it is interpolated in time only. "mean" is
/// ESPnet's default fill (the paper's 0 on mean-normalised features); "zero" is torchaudio's.
/// Spectrogram inputs only.
class SpecAugmentHook : public Hook {
 public:
  SpecAugmentHook(SpecAugmentOptions options, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "spec_augment"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  SpecAugmentOptions options_;
};

}  // namespace dither
