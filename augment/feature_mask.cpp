#include "augment/feature_mask.h"

#include <algorithm>

#include "augment/pointwise_noise.h"
#include "core/error.h"
#include "core/json_reader.h"

namespace dither {
namespace {

const std::vector<std::string> kFills = {"zero", "mean", "marginal"};

}  // namespace

FeatureFill FeatureFill::from_training(MaskFill kind, const Tensor& training) {
  FeatureFill fill;
  fill.kind = kind;
  if (kind == MaskFill::zero) return fill;
  check_shape(training.dim() == 2 && training.size(0) >= 1,
              "feature_mask: needs training rows [n >= 1, features], got ", training.shape());
  const std::int64_t n = training.size(0);
  fill.features = training.size(1);
  if (kind == MaskFill::marginal) {
    fill.rows = training.clone();
    return fill;
  }
  std::vector<double> sum(static_cast<std::size_t>(fill.features), 0.0);
  const float* t = training.ptr();
  for (std::int64_t r = 0; r < n; ++r) {
    for (std::int64_t f = 0; f < fill.features; ++f) {
      sum[static_cast<std::size_t>(f)] += t[r * fill.features + f];
    }
  }
  for (double s : sum) fill.means.push_back(static_cast<float>(s / static_cast<double>(n)));
  return fill;
}

Tensor mask_features(const Tensor& x, float rate, const FeatureFill& fill,
                     const RandomStream& stream) {
  check_shape(x.dim() == 2 && (fill.kind == MaskFill::zero || x.size(1) == fill.features),
              "feature_mask: needs rows [B, ", fill.features, "], got ", x.shape());
  const std::int64_t features = x.size(1);
  const RandomStream mask = stream.child(0);
  const RandomStream row = stream.child(1);
  const std::int64_t n = fill.rows.defined() ? fill.rows.size(0) : 0;
  const float* rows = fill.rows.defined() ? fill.rows.ptr() : nullptr;
  return map_with_draws(
      x, [&](std::span<float> u) { mask.fill_uniform(u, 0.0f, 1.0f); },
      [&](float v, float u, std::uint64_t i) {
        if (u >= rate) return v;
        const auto f = static_cast<std::int64_t>(i) % features;
        switch (fill.kind) {
          case MaskFill::mean:
            return fill.means[static_cast<std::size_t>(f)];
          case MaskFill::marginal:
            return rows[row.integer(i, n) * features + f];
          case MaskFill::zero:
            break;
        }
        return 0.0f;
      });
}

FeatureMaskHook::FeatureMaskHook(Strength rate, MaskFill fill, double p) : Hook(p), rate_(rate) {
  fill_.kind = fill;
}

std::unique_ptr<Hook> FeatureMaskHook::from_json(const nlohmann::json& spec,
                                                 const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "rate", "fill", "p", "ramp_epochs"});
  const Strength rate = Strength::read(r, "rate", 0.15, 0.0, 1.0);
  const std::string fill = r.string("fill", "zero", kFills);
  return std::make_unique<FeatureMaskHook>(
      rate, static_cast<MaskFill>(std::find(kFills.begin(), kFills.end(), fill) - kFills.begin()),
      r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json FeatureMaskHook::to_json() const {
  nlohmann::json j{
      {"type", type_name()}, {"fill", kFills[static_cast<std::size_t>(fill_.kind)]}, {"p", p()}};
  rate_.write(j, "rate");
  return j;
}

void FeatureMaskHook::setup(const HookSetup& setup) {
  const InputKind kind = setup.input.kind;
  if (kind != InputKind::tabular || setup.input.sample_shape.size() != 1) {
    const std::string instead = kind == InputKind::image    ? "cutout or random_erasing"
                                : kind == InputKind::tokens ? "token_mask"
                                                            : "gaussian or uniform noise";
    throw ConfigError(setup.path +
                      ": feature_mask masks the features of tabular rows [F]; this "
                      "is " +
                      to_string(kind) + " data of shape " + str(setup.input.sample_shape) +
                      " (use " + instead + " instead)");
  }
  if (fill_.kind == MaskFill::zero) return;
  if (!setup.training_inputs) {
    throw ConfigError(setup.path + ".fill: '" + kFills[static_cast<std::size_t>(fill_.kind)] +
                      "' needs the training rows, which are not available here (use 'zero')");
  }
  fill_ = FeatureFill::from_training(fill_.kind, setup.training_inputs(0));
}

void FeatureMaskHook::on_batch(StepContext& ctx, Batch& batch) {
  const double rate = rate_.at(ctx.epochs_done());
  if (rate == 0.0 || !fires(ctx)) return;
  batch.inputs =
      mask_features(batch.inputs, static_cast<float>(rate), fill_, ctx.stream("feature_mask"));
}

}  // namespace dither
