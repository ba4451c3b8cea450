#include "augment/label_smoothing.h"

#include "core/error.h"
#include "core/json_reader.h"

namespace dither {

LabelSmoothingHook::LabelSmoothingHook(Strength eps, Smoothing mode, double p)
    : Hook(p), eps_(eps), mode_(mode) {}

std::unique_ptr<Hook> LabelSmoothingHook::from_json(const nlohmann::json& spec,
                                                    const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "eps", "mode", "p", "ramp_epochs"});
  return std::make_unique<LabelSmoothingHook>(Strength::read(r, "eps", 0.1, 0.0, 1.0),
                                              read_smoothing_mode(r, "mode"),
                                              r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json LabelSmoothingHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"mode", to_string(mode_)}, {"p", p()}};
  eps_.write(j, "eps");
  return j;
}

void LabelSmoothingHook::setup(const HookSetup& setup) {
  const LossOptions& options = setup.loss.options();
  if (options.type != "cross_entropy") {
    throw ConfigError(setup.path +
                      ": label smoothing is applied by the cross_entropy loss; loss '" +
                      options.type + "' has none (set loss.type to cross_entropy)");
  }
  if (options.label_smoothing > 0.0f) {
    throw ConfigError(str(setup.path, ": loss.label_smoothing is also set (",
                          options.label_smoothing,
                          "); smoothing must be set in one place: remove loss.label_smoothing or "
                          "this hook"));
  }
  if (mode_ == Smoothing::others && setup.input.num_classes < 2) {
    throw ConfigError(setup.path +
                      ": mode 'others' spreads eps over the other classes and needs "
                      "at least 2 classes");
  }
  loss_ = &setup.loss;
  loss_->set_label_smoothing(static_cast<float>(eps_.value), mode_);
}

void LabelSmoothingHook::on_batch(StepContext& ctx, Batch&) {
  check(loss_ != nullptr, "label_smoothing: setup() was not called");
  const double eps = fires(ctx) ? eps_.at(ctx.epochs_done()) : 0.0;
  loss_->set_label_smoothing(static_cast<float>(eps), mode_);
}

}  // namespace dither
