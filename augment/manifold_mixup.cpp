#include "augment/manifold_mixup.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_reader.h"
#include "layers/activations.h"

namespace dither {

std::vector<std::size_t> default_mix_positions(const Sequential& model, bool tokens) {
  std::vector<std::size_t> out;
  if (!tokens) out.push_back(0);
  for (std::size_t i = 0; i + 1 < model.size(); ++i) {
    if (dynamic_cast<const Activation*>(&model[i]) != nullptr) out.push_back(i + 1);
  }
  return out;
}

ManifoldMixupHook::ManifoldMixupHook(Strength alpha, std::vector<std::int64_t> layers, MixMode mode,
                                     double p)
    : Hook(p), alpha_(alpha), layers_(std::move(layers)), mode_(mode) {}

std::unique_ptr<Hook> ManifoldMixupHook::from_json(const nlohmann::json& spec,
                                                   const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "alpha", "layers", "mode", "p", "ramp_epochs"});
  std::vector<std::int64_t> layers;
  if (r.has("layers") && !r.at("layers").is_null()) {
    layers = r.integers("layers", std::nullopt, 0, 0);
    if (layers.empty()) {
      throw ConfigError(r.path_of("layers") + ": must list at least one position (or be null)");
    }
  }
  return std::make_unique<ManifoldMixupHook>(Strength::read(r, "alpha", 2.0, 0.0, 1e3),
                                             std::move(layers), read_mix_mode(r, "mode"),
                                             r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json ManifoldMixupHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"mode", to_string(mode_)}, {"p", p()}};
  if (!positions_.empty()) {
    j["layers"] = positions_;
  } else {
    j["layers"] = layers_.empty() ? nlohmann::json(nullptr) : nlohmann::json(layers_);
  }
  alpha_.write(j, "alpha");
  return j;
}

void ManifoldMixupHook::setup(const HookSetup& setup) {
  require_soft_target_loss(setup, "manifold_mixup");
  model_ = dynamic_cast<Sequential*>(&setup.model);
  if (model_ == nullptr) {
    throw ConfigError(setup.path +
                      ": manifold_mixup mixes between the layers of a sequential "
                      "model; this model is '" +
                      setup.model.type_name() + "'");
  }
  const bool tokens = setup.input.kind == InputKind::tokens;
  const std::string where = setup.path + ".layers";
  if (layers_.empty()) {
    positions_ = default_mix_positions(*model_, tokens);
    if (positions_.empty()) {
      throw ConfigError(where +
                        ": this model has no activation layer to mix after; list the "
                        "positions to mix at (k: the state entering model.layers[k])");
    }
    return;
  }
  positions_.clear();
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::int64_t k = layers_[i];
    const std::string at = index_path(where, i);
    if (k >= static_cast<std::int64_t>(model_->size())) {
      throw ConfigError(str(at, ": position ", k,
                            " is past the model's last layer (positions 0 to ", model_->size() - 1,
                            ": k mixes the state entering model.layers[k])"));
    }
    if (k == 0 && tokens) {
      throw ConfigError(at +
                        ": position 0 would mix token ids; pick a position after the "
                        "embedding");
    }
    const auto position = static_cast<std::size_t>(k);
    if (std::find(positions_.begin(), positions_.end(), position) != positions_.end()) {
      throw ConfigError(str(at, ": position ", k, " is listed twice"));
    }
    positions_.push_back(position);
  }
}

void ManifoldMixupHook::on_batch(StepContext& ctx, Batch& batch) {
  guard_.reset();
  const double alpha = alpha_.at(ctx.epochs_done());
  if (alpha == 0.0 || !fires(ctx)) return;
  check(model_ != nullptr, "manifold_mixup: setup() was not called");
  const RandomStream stream = ctx.stream("manifold_mixup");
  const MixPlan plan = draw_mix_plan(stream, batch.size(), alpha, mode_);
  const auto choice = stream.child(2).integer(0, static_cast<std::int64_t>(positions_.size()));
  batch.targets = mix_targets(batch.targets, batch.num_classes, plan);
  const Sequential* model = model_;
  const std::int64_t step = ctx.step;
  guard_ = std::make_unique<HiddenTransformGuard>(
      *model_, positions_[static_cast<std::size_t>(choice)], [model, step, plan](const Tensor& h) {
        const NoiseClock& clock = model->noise_clock();
        const bool training_forward =
            model->is_training() && clock.pass == kTrainPass && clock.step == step;
        return training_forward ? mix_rows(h, plan) : h;
      });
}

Tensor ManifoldMixupHook::on_loss(StepContext&, const Batch&, const Tensor&, Tensor loss) {
  guard_.reset();
  return loss;
}

}  // namespace dither
