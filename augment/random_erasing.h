#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "augment/boxes.h"
#include "augment/hook.h"

namespace dither {

/// What fills an erased box: one constant, one random colour per box and channel, or a random
/// value per element.
enum class EraseFill { constant, random, pixel };

struct RandomErasingOptions {
  double probability = 0.5;                     ///< per-sample chance of an erased box
  std::pair<double, double> scale{0.02, 0.33};  ///< box area as a fraction of H * W
  std::pair<double, double> ratio{0.3, 3.3};    ///< box aspect height / width, log-uniform
  EraseFill fill = EraseFill::constant;
  double value = 0.0;  ///< the constant fill
};

/// Up to 10 tries at a box for an h x w image (torchvision's and timm's rule): area =
/// U(scale) * h * w, aspect = exp(U(log ratio)), height = round(sqrt(area * aspect)), width =
/// round(sqrt(area / aspect)), accepted when height < h and width < w, then placed uniformly.
/// No box (nullopt) when no try fits. Try t draws from stream.child(t) at counters 0..3.
std::optional<Box> erasing_box(std::int64_t h, std::int64_t w, std::pair<double, double> scale,
                               std::pair<double, double> ratio, const RandomStream& stream);

/// Random erasing of images x [B, C, H, W]: sample b, with probability `probability` (drawn
/// from stream.child(0) at b), gets the box erasing_box(..., stream.child(1).child(b)) filled in
/// every channel with the constant, with one colour per channel ("random") or with one value per
/// element ("pixel"), drawn from stream.child(2). Random fills are U(low, high) when both ends
/// are finite, else N(0, 1). A new leaf.
Tensor random_erase(const Tensor& x, const RandomErasingOptions& options, float low, float high,
                    const RandomStream& stream);

/// {"type": "random_erasing", "probability": 0.5, "scale": [0.02, 0.33], "ratio": [0.3, 3.3],
/// "value": 0, "p": 1}: Random Erasing (Zhong et al. 2017). "value" is a number, "random" or
/// "pixel". As timm's RandomErasing, each image gets its own box (torchvision's transform puts one
/// box on the whole batch tensor) with the per-sample chance `probability`, and the hook's own
/// `p` gates the batch as for every hook. Area, log-uniform aspect, the strict fit test and 10
/// tries follow torchvision and timm (the paper's code draws the aspect linearly, up to 100
/// tries). Random fills: timm and torchvision draw N(0, 1), meant for normalised images; dither
/// images are in [0, 1], where N(0, 1) leaves the range in about half the draws, so on bounded
/// data "random" and "pixel" draw U(low, high), the paper's random pixel values (RE-R), and
/// need no clamp; on unbounded (normalised) images they draw N(0, 1) as timm does. Images only.
class RandomErasingHook : public Hook {
 public:
  RandomErasingHook(RandomErasingOptions options, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "random_erasing"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  RandomErasingOptions options_;
};

}  // namespace dither
