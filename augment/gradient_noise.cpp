#include "augment/gradient_noise.h"

#include <cmath>

#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"

namespace dither {

Tensor add_gradient_noise(const Tensor& grad, float sigma, const RandomStream& stream) {
  Tensor noise = Tensor::empty(grad.shape());
  stream.fill_normal(noise.data(), 0.0f, sigma);
  return add(grad, noise);
}

double gradient_noise_variance(double eta, double gamma, std::int64_t step) {
  return eta / std::pow(1.0 + static_cast<double>(step), gamma);
}

GradientNoiseHook::GradientNoiseHook(Strength eta, double gamma, double p)
    : GradientHook(p), eta_(eta), gamma_(gamma) {}

std::unique_ptr<Hook> GradientNoiseHook::from_json(const nlohmann::json& spec,
                                                   const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "eta", "gamma", "p", "ramp_epochs"});
  return std::make_unique<GradientNoiseHook>(Strength::read(r, "eta", 0.01, 0.0, 1e3),
                                             r.number("gamma", 0.55, 0.0, 10.0),
                                             r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json GradientNoiseHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"gamma", gamma_}, {"p", p()}};
  eta_.write(j, "eta");
  return j;
}

void GradientNoiseHook::setup(const HookSetup& setup) {
  if (setup.model.named_parameters().empty()) {
    throw ConfigError(setup.path + ": the model has no parameters, so no gradients to add noise " +
                      "to; gradient_noise needs a model with trained layers");
  }
}

void GradientNoiseHook::on_gradients(StepContext& ctx) {
  const double eta = eta_.at(ctx.epochs_done());
  if (eta == 0.0 || !fires(ctx)) return;
  const auto sigma = static_cast<float>(std::sqrt(gradient_noise_variance(eta, gamma_, ctx.step)));
  const RandomStream stream = ctx.stream("gradient_noise");
  std::uint64_t k = 0;
  for (auto& [name, param] : ctx.model->named_parameters()) {
    const Tensor g = param.grad();
    if (g.defined()) param.set_grad(add_gradient_noise(g, sigma, stream.child(k)));
    ++k;
  }
}

}  // namespace dither
