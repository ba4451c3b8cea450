#pragma once

#include <nlohmann/json.hpp>

#include "augment/hook.h"

namespace dither {

/// x + N(0, sigma^2) per element, clipped to [low, high], drawn from a counter-based stream: the
/// same at any thread count. The result is a new leaf: noise is data, not part of the graph.
Tensor add_gaussian_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                          float high);

/// {"type": "gaussian", "sigma": 0.1, "p": 1.0, "clip": true}: additive input noise in the units
/// the model sees (after scaling to the dataset's range), clipped to the valid input range when
/// "clip" is true and the dataset declares one. Refused for token ids.
class GaussianNoiseHook : public Hook {
 public:
  GaussianNoiseHook(double sigma, double p, bool clip);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "gaussian"; }
  nlohmann::json to_json() const override;
  void check_input(const InputInfo& input, const std::string& path) const override;
  void on_batch_start(StepContext& ctx) override;

 private:
  double sigma_;
  bool clip_;
};

}  // namespace dither
