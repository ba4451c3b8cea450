#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/boxes.h"
#include "augment/hook.h"

namespace dither {

/// The holes of Cutout for `samples` images of h x w: per sample, `holes` squares of side
/// `length` whose centre (cy, cx) is uniform over the h x w pixel grid, rows
/// [cy - length / 2, cy - length / 2 + length) and the same for columns, clipped to the image (so
/// a hole near the border is smaller, as in DeVries & Taylor's code). Hole k of sample b is
/// element b * holes + k, drawn from `stream` at counters 2 (b * holes + k) and that + 1.
std::vector<Box> cutout_boxes(std::int64_t samples, std::int64_t h, std::int64_t w,
                              std::int64_t holes, std::int64_t length, const RandomStream& stream);

/// {"type": "cutout", "holes": 1, "length": 8, "value": 0, "p": 1}: Cutout (DeVries & Taylor
/// 2017). Every image of a batch gets its own `holes` squares of side `length` pixels, filled
/// with `value` in every channel. Matches the reference code (uoguelph-mlrg/Cutout) for even
/// lengths; for an odd length the square has `length` rows where the reference's y +- length // 2
/// gives length - 1. The reference fills with 0 after normalisation, i.e. the dataset mean; dither
/// images are in [0, 1], so 0 is black, which is Fashion-MNIST's background: set "value" to the
/// data's mean (0.286 there) for the paper's grey patch. Images only.
class CutoutHook : public Hook {
 public:
  CutoutHook(std::int64_t holes, std::int64_t length, double value, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "cutout"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  std::int64_t holes_;
  std::int64_t length_;
  double value_;
};

}  // namespace dither
