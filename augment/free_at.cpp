#include "augment/free_at.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "augment/adversarial_training.h"
#include "augment/gaussian.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

FreeAdversarialHook::FreeAdversarialHook(Strength eps, std::int64_t replays, double p)
    : GradientHook(p), eps_(eps), replays_(replays) {}

std::unique_ptr<Hook> FreeAdversarialHook::from_json(const nlohmann::json& spec,
                                                     const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "eps", "replays", "p", "ramp_epochs"});
  return std::make_unique<FreeAdversarialHook>(Strength::read(r, "eps", 0.1, 0.0, 1e6),
                                               r.integer("replays", 4, 1, 1000),
                                               r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json FreeAdversarialHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"replays", replays_}, {"p", p()}};
  eps_.write(j, "eps");
  return j;
}

void FreeAdversarialHook::setup(const HookSetup& setup) {
  require_differentiable_inputs(setup, "free_at");
}

nlohmann::json FreeAdversarialHook::state() const {
  if (!delta_.defined()) return nullptr;
  return {{"shape", delta_.shape()}, {"delta", delta_.to_vector()}};
}

void FreeAdversarialHook::load_state(const nlohmann::json& state) {
  if (state.is_null()) {
    delta_ = Tensor();
    return;
  }
  try {
    const Shape shape = state.at("shape").get<Shape>();
    const auto values = state.at("delta").get<std::vector<float>>();
    if (numel(shape) != static_cast<std::int64_t>(values.size())) {
      throw ConfigError(str("free_at state: shape ", shape, " holds ", numel(shape),
                            " values, the state ", values.size()));
    }
    delta_ = Tensor::from(values, shape);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("free_at state: ") + e.what());
  }
}

void FreeAdversarialHook::on_batch(StepContext& ctx, Batch& batch) {
  leaf_ = Tensor();
  eps_now_ = static_cast<float>(eps_.at(ctx.epochs_done()));
  if (!fires(ctx)) return;
  const Tensor& x = batch.inputs;
  const std::int64_t rows = x.size(0);
  const std::int64_t row = x.numel() / std::max<std::int64_t>(rows, 1);
  if (!delta_.defined() || delta_.size(0) < rows || delta_.numel() / delta_.size(0) != row) {
    // First batch, or a larger one: grow with zeros, keeping what the rows carried.
    Tensor grown = Tensor::zeros(x.shape());
    if (delta_.defined() && delta_.numel() / std::max<std::int64_t>(delta_.size(0), 1) == row) {
      std::copy(delta_.ptr(), delta_.ptr() + delta_.numel(), grown.ptr());
    }
    delta_ = grown;
  }
  // Not a structured binding: clang 14 (the fuzz build's) cannot capture one in a lambda.
  const std::pair<float, float> range = clip_range(*ctx.input, true);
  Tensor adv = Tensor::empty(x.shape());
  const float* px = x.ptr();
  const float* pd = delta_.ptr();
  float* pa = adv.ptr();
  parallel_for(adv.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i)
      pa[i] = std::clamp(px[i] + pd[i], range.first, range.second);
  });
  adv.set_requires_grad(true);
  leaf_ = adv;
  batch.inputs = adv;
}

void FreeAdversarialHook::on_gradients(StepContext&) {
  if (!leaf_.defined() || !leaf_.grad().defined()) return;
  const Tensor g = leaf_.grad();
  const float eps = eps_now_;
  float* pd = delta_.ptr();
  const float* pg = g.ptr();
  parallel_for(g.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const float step = pg[i] > 0.0f ? eps : (pg[i] < 0.0f ? -eps : 0.0f);
      pd[i] = std::clamp(pd[i] + step, -eps, eps);
    }
  });
  leaf_ = Tensor();
}

}  // namespace dither
