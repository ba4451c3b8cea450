#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// Impulse noise: each element independently, with probability `amount`, becomes `high` (salt,
/// with probability `salt_vs_pepper`) or `low` (pepper); the others keep their value. One bulk
/// uniform draw per element decides both. A new leaf.
Tensor salt_and_pepper(const Tensor& x, float amount, float salt_vs_pepper, float low, float high,
                       const RandomStream& stream);

/// {"type": "salt_pepper", "amount": 0.05, "salt_vs_pepper": 0.5, "p": 1, "ramp_epochs": 0}:
/// salt-and-pepper noise with the data's own valid range as its two values (0 and 1 for
/// Fashion-MNIST). As skimage's random_noise(mode="s&p", amount=0.05, salt_vs_pepper=0.5), the
/// draw is per element, so with several channels a pixel can be hit in one channel only;
/// albumentations' SaltAndPepper and DALI (per_channel=false) share one mask across a pixel's
/// channels. albumentations also draws amount and salt_vs_pepper from ranges per image; dither
/// uses fixed values (ramp "amount" with ramp_epochs instead). Needs a bounded input range:
/// refused for unbounded data (standardised tables, points, sequences) and for token ids.
class SaltPepperHook : public Hook {
 public:
  SaltPepperHook(Strength amount, double salt_vs_pepper, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "salt_pepper"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength amount_;
  double salt_vs_pepper_;
};

}  // namespace dither
