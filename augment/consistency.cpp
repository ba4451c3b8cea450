#include "augment/consistency.h"

#include <algorithm>
#include <array>

#include "augment/registry.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "core/ops/loss.h"
#include "core/ops/softmax.h"
#include "core/ops/unary.h"

namespace dither {
namespace {

// Hooks whose on_batch makes no view of the inputs: they change labels or mix samples (a JS term
// against a mixed prediction has no clean counterpart), act on weights or gradients, are loss
// terms (TRADES) or carry a perturbation across batches (Free-AT), or are consistency terms.
constexpr std::array kNotViews{"consistency",    "rdrop",           "mixup",       "cutmix",
                               "manifold_mixup", "label_smoothing", "label_noise", "weight_noise",
                               "gradient_noise", "trades",          "free_at"};

}  // namespace

Tensor jensen_shannon(const std::vector<Tensor>& logits) {
  check(logits.size() >= 2, "jensen_shannon: needs at least two predictions, got ", logits.size());
  std::vector<Tensor> probs;
  Tensor mix;
  for (const Tensor& l : logits) {
    check_shape(l.dim() == 2 && l.shape() == logits[0].shape(), "jensen_shannon: logits ",
                l.shape(), " and ", logits[0].shape(), " must both be [N, K]");
    probs.push_back(softmax(l, 1));
    mix = mix.defined() ? add(mix, probs.back()) : probs.back();
  }
  const auto m = static_cast<float>(logits.size());
  const Tensor log_mix = log(clamp(div(mix, m), 1e-7f, 1.0f));
  Tensor total;
  for (const Tensor& p : probs) {
    const Tensor kl = kl_div(log_mix, p);
    total = total.defined() ? add(total, kl) : kl;
  }
  return div(total, m);
}

ConsistencyHook::ConsistencyHook(std::unique_ptr<Hook> of, std::int64_t views, Strength lambda,
                                 double p)
    : Hook(p), of_(std::move(of)), views_(views), lambda_(lambda) {}

std::unique_ptr<Hook> ConsistencyHook::from_json(const nlohmann::json& spec,
                                                 const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "of", "views", "lambda", "p", "ramp_epochs"});
  const std::string of_path = r.path_of("of");
  auto of = HookRegistry::instance().create(r.at("of"), of_path);
  const std::string of_type = of->type_name();
  if (std::find(kNotViews.begin(), kNotViews.end(), of_type) != kNotViews.end()) {
    throw ConfigError(of_path + ".type: consistency needs a hook that makes a view of the inputs " +
                      "(gaussian, uniform, speckle, salt_pepper, cutout, random_erasing, " +
                      "feature_mask, fgsm, fgsm_rs or pgd with weight 1); '" + of_type +
                      "' does not");
  }
  return std::make_unique<ConsistencyHook>(std::move(of), r.integer("views", 2, 1, 16),
                                           Strength::read(r, "lambda", 12.0, 0.0, 1e6),
                                           r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json ConsistencyHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"of", of_->to_json()}, {"views", views_}, {"p", p()}};
  lambda_.write(j, "lambda");
  return j;
}

void ConsistencyHook::setup(const HookSetup& setup) {
  if (!setup.loss.takes_class_targets()) {
    throw ConfigError(setup.path + ": consistency compares class probabilities; the loss '" +
                      setup.loss.options().type + "' does not take classes");
  }
  HookSetup inner = setup;
  inner.path = setup.path + ".of";
  of_->setup(inner);
}

StepContext ConsistencyHook::view_context(const StepContext& ctx, std::int64_t view) {
  StepContext v = ctx;
  v.seed = ctx.fixed_stream("view").child(static_cast<std::uint64_t>(view)).name_hash();
  return v;
}

void ConsistencyHook::on_epoch_start(StepContext& ctx) {
  for (std::int64_t v = 0; v < views_; ++v) {
    StepContext view = view_context(ctx, v);
    of_->on_epoch_start(view);
  }
}

void ConsistencyHook::on_batch(StepContext& ctx, Batch& batch) {
  inputs_.clear();
  if (lambda_.at(ctx.epochs_done()) <= 0.0 || !fires(ctx)) return;
  for (std::int64_t v = 0; v < views_; ++v) {
    StepContext view_ctx = view_context(ctx, v);
    Batch view = batch;
    of_->on_batch(view_ctx, view);
    if (view.targets.ptr() != batch.targets.ptr()) {
      throw Error(str("consistency: the wrapped ", of_->type_name(),
                      " hook changed the targets; it must only make a view of the inputs"));
    }
    inputs_.push_back(view.inputs);
  }
}

Tensor ConsistencyHook::on_loss(StepContext& ctx, const Batch&, const Tensor& logits, Tensor loss) {
  if (inputs_.empty()) return loss;
  std::vector<Tensor> all{logits};
  for (const Tensor& x : inputs_) all.push_back(ctx.forward(x, PassMode::train));
  return add(loss, mul(jensen_shannon(all), static_cast<float>(lambda_.at(ctx.epochs_done()))));
}

void ConsistencyHook::on_step_end(StepContext& ctx) {
  for (std::int64_t v = 0; v < views_; ++v) {
    StepContext view = view_context(ctx, v);
    of_->on_step_end(view);
  }
}

Tensor ConsistencyHook::extra_inputs(StepContext&, const Batch&) {
  return inputs_.empty() ? Tensor() : inputs_.front();
}

}  // namespace dither
