#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "augment/boxes.h"
#include "augment/hook.h"
#include "augment/mixing.h"
#include "augment/strength.h"

namespace dither {

/// The CutMix box of clovaai and torchvision for lam on an h x w image: half sides
/// int(0.5 sqrt(1 - lam) h) and int(0.5 sqrt(1 - lam) w) around the centre
/// (floor(u_y h), floor(u_x w)), u_y and u_x uniform in [0, 1), clipped to the image. A box that
/// pokes out is cut, so its area is at most (1 - lam) h w: use 1 - area / (h w) as the label
/// weight (timm's correct_lam, torchvision's lam_adjusted).
Box cutmix_box(double lam, std::int64_t h, std::int64_t w, double u_y, double u_x);

/// x [B, C, H, W] with boxes[i] of every channel of sample i replaced by sample partner[i]'s
/// pixels (one box for all when boxes has one entry). A new tensor.
Tensor paste_boxes(const Tensor& x, const std::vector<std::int64_t>& partner,
                   const std::vector<Box>& boxes);

/// {"type": "cutmix", "alpha": 1.0, "mode": "batch", "correct_lam": true, "p": 1,
/// "ramp_epochs": 0}: CutMix (Yun et al. 2019). lam ~ Beta(alpha, alpha), a box of side
/// sqrt(1 - lam) of the image's with a uniform centre, clipped, filled from the partner (a random
/// permutation, as for mixup); the soft targets weigh the sample by the area it kept,
/// 1 - box area / (H W) (correct_lam, the default of clovaai, torchvision and timm; off: the
/// drawn lam, which overstates the pasted part when the box was clipped). "batch": one lam and
/// one box for the batch (torchvision); "sample": each sample its own (timm's "elem"). Images
/// [C, H, W] only.
class CutMixHook : public Hook {
 public:
  CutMixHook(Strength alpha, MixMode mode, bool correct_lam, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "cutmix"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength alpha_;
  MixMode mode_;
  bool correct_lam_;
};

}  // namespace dither
