#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"

namespace dither {

/// What a masked time step becomes: 0, or the sample's own mean over its valid steps (per
/// feature), which on a signal with an offset does not create a step to the zero line.
enum class TimeFill { zero, mean };

/// How many spans and how wide: the width of each span is a uniform integer in [0, cap] with
/// cap = floor(max_fraction * L) for a sample of length L, and at most max_width when that is
/// set (> 0); its start is uniform over [0, L - width], so no span reaches past the length.
struct TimeMaskOptions {
  std::int64_t count = 1;
  std::int64_t max_width = 0;  ///< steps; 0: only max_fraction bounds the width
  double max_fraction = 0.2;
  TimeFill fill = TimeFill::zero;
};

/// One masked span [start, start + width) of a sample.
struct TimeSpan {
  std::int64_t start = 0;
  std::int64_t width = 0;
};

/// The `count` spans of each sample of the given lengths: span k of sample b takes its width
/// from stream.child(0).integer(b * count + k, cap + 1) and its start from
/// stream.child(1).integer(b * count + k, L - width + 1). Spans may overlap.
std::vector<std::vector<TimeSpan>> time_mask_spans(const std::vector<std::int64_t>& lengths,
                                                   const TimeMaskOptions& options,
                                                   const RandomStream& stream);

/// x [B, T, F] with every feature of the steps in sample b's spans set to the fill; the other
/// steps, the padding included, keep their values. A new leaf.
Tensor time_mask(const Tensor& x, const std::vector<std::int64_t>& lengths,
                 const std::vector<std::vector<TimeSpan>>& spans, TimeFill fill);

/// {"type": "time_mask", "count": 1, "max_width": 0, "max_fraction": 0.2, "fill": "zero",
/// "p": 1}: masks `count` spans of time steps of every training sequence (iid per sample), as
/// torchaudio's TimeMasking with iid_masks and audiomentations' TimeMask do. torchaudio draws a
/// real width in [0, mask_param) and floors it; dither draws an integer in [0, cap], cap from
/// both bounds as torchaudio's min(mask_param, floor(L * p)), so the width bound is exact and
/// reached. audiomentations masks one span of [min_band_part, max_band_part] * N samples with
/// fades (p 0.5); dither has no fades (a span of a sequence is not audio) and its p applies per
/// batch. Lengths are respected: spans lie within [0, L) and padding stays as it is. Sequences
/// [T, F] only; token ids are refused with a pointer to token_mask.
class TimeMaskHook : public Hook {
 public:
  TimeMaskHook(TimeMaskOptions options, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "time_mask"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  TimeMaskOptions options_;
};

}  // namespace dither
