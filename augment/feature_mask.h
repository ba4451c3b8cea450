#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "augment/hook.h"
#include "augment/strength.h"

namespace dither {

/// What a masked feature becomes: 0, its training mean, or the value of that feature in a
/// random training row (a draw from the column's empirical marginal).
enum class MaskFill { zero, mean, marginal };

/// The replacement values of a feature mask, taken once from the training rows.
struct FeatureFill {
  MaskFill kind = MaskFill::zero;
  std::int64_t features = 0;
  std::vector<float> means;  ///< mean: per feature, over every training row
  Tensor rows;               ///< marginal: the training rows [n, features]

  /// The fill for `kind` from training rows [n, features] (n >= 1 unless kind is zero).
  static FeatureFill from_training(MaskFill kind, const Tensor& training);
};

/// VIME-style feature masking of rows x [B, F]: element i = b * F + f is masked with
/// probability `rate` (a bulk uniform draw of stream.child(0)) and replaced by 0, means[f], or
/// rows[r, f] with r = stream.child(1).integer(i, n); the others keep their value. A new leaf.
Tensor mask_features(const Tensor& x, float rate, const FeatureFill& fill,
                     const RandomStream& stream);

/// {"type": "feature_mask", "rate": 0.15, "fill": "zero", "p": 1, "ramp_epochs": 0}: masks each
/// feature of each training row independently with probability `rate`. "zero" is what dropout
/// on the inputs does without its 1/(1 - rate) rescaling; on standardised numeric columns it
/// equals "mean", but for a one-hot block it means "no category". "mean" fills the training
/// mean of the feature; "marginal" a value of that feature from a random training row. VIME
/// draws the marginal from a column-shuffled copy of the batch, SCARF from the dataset; dither
/// draws from the training set (computed once at setup), so the fill does not depend on what
/// else is in the batch. A Bernoulli mask per element as VIME (SCARF masks a fixed count per
/// row). Tabular inputs [F] only.
class FeatureMaskHook : public Hook {
 public:
  FeatureMaskHook(Strength rate, MaskFill fill, double p);
  static std::unique_ptr<Hook> from_json(const nlohmann::json& spec, const std::string& path);

  std::string type_name() const override { return "feature_mask"; }
  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 private:
  Strength rate_;
  FeatureFill fill_;
};

}  // namespace dither
