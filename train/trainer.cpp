#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/autograd.h"
#include "core/error.h"
#include "core/finite.h"
#include "core/json_reader.h"
#include "core/ops/arithmetic.h"
#include "optim/clip.h"
#include "train/interrupt.h"

namespace dither {

TrainSettings TrainSettings::from_json(const nlohmann::json& spec, const std::string& path) {
  TrainSettings s;
  JsonReader r(spec, path);
  r.allow_only({"epochs", "batch_size", "clip_grad_norm", "clip_grad_value", "early_stopping"});
  s.epochs = r.integer("epochs", s.epochs, 1, 1'000'000);
  s.batch_size = r.integer("batch_size", s.batch_size, 1, 1 << 20);
  s.clip_grad_norm = r.number("clip_grad_norm", s.clip_grad_norm, 0.0);
  s.clip_grad_value = r.number("clip_grad_value", s.clip_grad_value, 0.0);
  if (r.has("early_stopping")) {
    JsonReader e = r.object("early_stopping");
    e.allow_only({"patience", "min_delta", "monitor"});
    s.patience = e.integer("patience", 3, 0);
    s.min_delta = e.number("min_delta", s.min_delta, 0.0);
    s.monitor = e.string("monitor", s.monitor, {"val_loss", "val_accuracy"});
  }
  return s;
}

nlohmann::json TrainSettings::to_json() const {
  return {
      {"epochs", epochs},
      {"batch_size", batch_size},
      {"clip_grad_norm", clip_grad_norm},
      {"clip_grad_value", clip_grad_value},
      {"early_stopping", {{"patience", patience}, {"min_delta", min_delta}, {"monitor", monitor}}}};
}

Trainer::Trainer(Module& model, const Loss& loss, Optimizer& optimizer, Schedule* schedule,
                 std::vector<std::unique_ptr<Hook>> hooks, InputInfo input, TrainSettings settings,
                 std::uint64_t seed)
    : model_(model),
      loss_(loss),
      optimizer_(optimizer),
      schedule_(schedule),
      hooks_(std::move(hooks)),
      input_(std::move(input)),
      settings_(std::move(settings)),
      seed_(seed),
      params_(model.named_parameters()),
      replays_(batch_replays(hooks_)) {
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    if (auto* hook = dynamic_cast<GradientHook*>(hooks_[i].get()))
      gradient_hooks_.emplace_back(i, hook);
  }
  const bool clipping = settings_.clip_grad_norm > 0.0 || settings_.clip_grad_value > 0.0;
  if (gradient_hooks_.empty() && !clipping) per_parameter_ = optimizer_.per_parameter();
  const std::vector<Tensor>& stepped = optimizer_.params();
  for (const auto& [name, param] : params_) {
    const auto found = std::find_if(stepped.begin(), stepped.end(),
                                    [&](const Tensor& p) { return p.same_as(param); });
    optimizer_index_.push_back(
        found == stepped.end() ? kNotStepped : static_cast<std::size_t>(found - stepped.begin()));
  }
}

StepContext Trainer::context(std::int64_t epoch, std::int64_t batch_index,
                             std::int64_t batches_per_epoch, ExtraPasses* passes) {
  StepContext ctx;  // assigned field by field: designated initialisers warn on skipped members
  ctx.epoch = epoch;
  ctx.step = step_;
  ctx.batch_index = batch_index;
  ctx.batches_per_epoch = batches_per_epoch;
  ctx.total_epochs = settings_.epochs;
  ctx.seed = seed_;
  ctx.model = &model_;
  ctx.input = &input_;
  ctx.criterion = &loss_;
  ctx.passes = passes;
  return ctx;
}

std::pair<double, std::int64_t> Trainer::train_step(Batch batch, std::int64_t epoch,
                                                    std::int64_t batch_index,
                                                    std::int64_t batches_per_epoch) {
  if (batch.num_classes == 0) batch.num_classes = input_.num_classes;
  ExtraPasses passes(model_, NoiseClock{seed_, step_, kTrainPass + 1});
  StepContext ctx = context(epoch, batch_index, batches_per_epoch, &passes);
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    ctx.hook_index = i;
    const SequenceLengthsGuard lengths(model_, batch.lengths);  // for the hook's extra passes
    hooks_[i]->on_batch(ctx, batch);
  }
  optimizer_.zero_grad();
  model_.set_noise_clock(NoiseClock{seed_, step_, kTrainPass});
  // The lengths of the batch the hooks handed on, for the forward and on_loss's extra passes.
  const SequenceLengthsGuard lengths(model_, batch.lengths);
  const Tensor logits = model_.forward(batch.inputs);
  const Tensor loss = step_loss(ctx, batch, logits);
  double value = 0.0;
  if (per_parameter_ != nullptr) {
    value = backward_and_step_each_parameter(ctx, loss);
  } else {
    value = backward(ctx, loss);
    optimizer_.step_with([&] { regradient(ctx, batch); });
  }
  if (schedule_ != nullptr) schedule_->step_batch();
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    ctx.hook_index = i;
    hooks_[i]->on_step_end(ctx);
  }
  ++step_;
  return {value, count_correct(logits, batch.targets)};
}

Tensor Trainer::step_loss(StepContext& ctx, const Batch& batch, const Tensor& logits) {
  Tensor loss = loss_(logits, batch.targets);
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    ctx.hook_index = i;
    loss = hooks_[i]->on_loss(ctx, batch, logits, std::move(loss));
  }
  check_shape(loss.defined() && loss.numel() == 1, "trainer: the loss must be a scalar, got shape ",
              loss.defined() ? to_string(loss.shape()) : std::string("(none)"));
  // After the hooks: a hook that reweighs the loss (FGSM's mix) must not reweigh the model's own
  // regulariser.
  const Tensor regularization = total_regularization(model_);
  return regularization.defined() ? add(loss, regularization) : loss;
}

double Trainer::backward(StepContext& ctx, const Tensor& loss) {
  loss.backward();
  for (const auto& [index, hook] : gradient_hooks_) {
    ctx.hook_index = index;
    hook->on_gradients(ctx);
  }
  const double value = loss.item();
  check_loss_finite(value, ctx);
  for (const auto& param : params_) check_gradient_finite(param, ctx);
  if (settings_.clip_grad_value > 0.0)
    clip_grad_value(optimizer_.params(), settings_.clip_grad_value);
  if (settings_.clip_grad_norm > 0.0) clip_grad_norm(optimizer_.params(), settings_.clip_grad_norm);
  return value;
}

double Trainer::backward_and_step_each_parameter(StepContext& ctx, const Tensor& loss) {
  const double value = loss.item();
  check_loss_finite(value, ctx);
  std::vector<char> stepped(optimizer_.params().size(), 0);
  loss.backward([&](const Tensor& leaf) {
    for (std::size_t j = 0; j < params_.size(); ++j) {
      if (!params_[j].second.same_as(leaf)) continue;
      check_gradient_finite(params_[j], ctx);
      if (optimizer_index_[j] == kNotStepped) return;
      per_parameter_->step_parameter(optimizer_index_[j]);
      stepped[optimizer_index_[j]] = 1;
      return;
    }
  });
  // Parameters outside the model's list, if any, as step() would have updated them.
  for (std::size_t i = 0; i < stepped.size(); ++i) {
    if (stepped[i] == 0) per_parameter_->step_parameter(i);
  }
  return value;
}

void Trainer::regradient(StepContext& ctx, const Batch& batch) {
  const BufferSnapshot buffers(model_);  // only the step's first pass updates BatchNorm statistics
  optimizer_.zero_grad();
  model_.set_noise_clock(NoiseClock{seed_, step_, kTrainPass});
  backward(ctx, step_loss(ctx, batch, model_.forward(batch.inputs)));
}

std::vector<std::pair<std::string, Batch>> Trainer::batch_stages(Batch batch, std::int64_t epoch,
                                                                 std::int64_t batch_index,
                                                                 std::int64_t batches_per_epoch) {
  if (batch.num_classes == 0) batch.num_classes = input_.num_classes;
  ExtraPasses passes(model_, NoiseClock{seed_, step_, kTrainPass + 1});
  StepContext ctx = context(epoch, batch_index, batches_per_epoch, &passes);
  std::vector<std::pair<std::string, Batch>> stages{{"input", batch}};
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    ctx.hook_index = i;
    const std::string title = std::to_string(i) + " " + hooks_[i]->type_name();
    const Tensor before = batch.inputs;
    const SequenceLengthsGuard lengths(model_, batch.lengths);
    hooks_[i]->on_batch(ctx, batch);
    stages.emplace_back(title + (batch.inputs.ptr() == before.ptr() ? " (inputs unchanged)" : ""),
                        batch);
    const Tensor extra = hooks_[i]->extra_inputs(ctx, batch);
    if (extra.defined()) {
      Batch view = batch;
      view.inputs = extra;
      stages.emplace_back(title + " (also trained on)", view);
    }
  }
  return stages;
}

nlohmann::json Trainer::hook_states() const {
  nlohmann::json states = nlohmann::json::array();
  for (const auto& hook : hooks_) states.push_back(hook->state());
  return states;
}

void Trainer::load_hook_states(const nlohmann::json& states) {
  if (!states.is_array() || states.size() != hooks_.size()) {
    throw ConfigError(
        str("hook states: expected a list of ", hooks_.size(), " entries, got ", states.dump()));
  }
  for (std::size_t i = 0; i < hooks_.size(); ++i) hooks_[i]->load_state(states[i]);
}

void Trainer::check_parameters(std::int64_t epoch) const {
  for (const auto& [name, param] : params_) {
    if (const float* bad = first_non_finite(param)) {
      throw DivergenceError(str("training diverged in epoch ", epoch + 1, ": parameter '", name,
                                "' holds ", *bad, " after the optimiser step; try a smaller ",
                                "learning rate or gradient clipping"));
    }
  }
}

void Trainer::check_loss_finite(double loss, const StepContext& ctx) const {
  if (!std::isfinite(loss)) {
    throw DivergenceError(str("training diverged at step ", step_, " (epoch ", ctx.epoch + 1,
                              ", batch ", ctx.batch_index + 1, "): the loss is ", loss,
                              "; try a smaller learning rate or gradient clipping"));
  }
}

void Trainer::check_gradient_finite(const std::pair<std::string, Tensor>& param,
                                    const StepContext& ctx) const {
  const Tensor g = param.second.grad();
  if (!g.defined()) return;
  const float* bad = first_non_finite(g);
  if (bad == nullptr) return;
  throw DivergenceError(str("training diverged at step ", step_, " (epoch ", ctx.epoch + 1,
                            ", batch ", ctx.batch_index + 1, "): the gradient of '", param.first,
                            "' holds ", *bad,
                            "; try a smaller learning rate or gradient clipping"));
}

EpochStats Trainer::train_epoch(BatchLoader& loader, std::int64_t epoch, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  model_.train();
  const std::int64_t batches = loader.num_batches();
  // Passes an epoch-start hook runs get their own range, apart from any step's.
  ExtraPasses passes(model_, NoiseClock{seed_, step_, kEvalPass / 2});
  StepContext ctx = context(epoch, 0, batches, &passes);
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    ctx.hook_index = i;
    hooks_[i]->on_epoch_start(ctx);
  }
  progress.start_epoch(epoch);
  EpochStats stats;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  const auto replays = static_cast<double>(replays_);
  for (std::int64_t b = 0; b < batches; ++b) {
    if (stop_requested()) return stats;  // abandoned: the caller drops the partial epoch
    const Batch batch = loader.batch(epoch, b);
    const std::int64_t n = batch.size();
    for (std::int64_t r = 0; r < replays_; ++r) {
      const auto [loss, right] = train_step(batch, epoch, b, batches);
      loss_sum += loss * static_cast<double>(n);
      correct += right;
    }
    stats.samples += n;
    const double seen = static_cast<double>(stats.samples) * replays;
    progress.batch_done(b, n, loss_sum / seen, static_cast<double>(correct) / seen);
  }
  if (stats.samples > 0) {
    const double seen = static_cast<double>(stats.samples) * replays;
    stats.loss = loss_sum / seen;
    stats.accuracy = static_cast<double>(correct) / seen;
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

std::int64_t batch_replays(const std::vector<std::unique_ptr<Hook>>& hooks) {
  std::int64_t replays = 1;
  for (const auto& hook : hooks) replays = std::max(replays, hook->replays());
  return replays;
}

std::int64_t count_correct(const Tensor& logits, const Tensor& targets) {
  check_shape(logits.dim() == 2, "count_correct: logits must be [B, K], got ", logits.shape());
  const std::int64_t rows = logits.size(0);
  const std::int64_t classes = logits.size(1);
  const bool soft = targets.dim() == 2;
  const float* pl = logits.ptr();
  const float* pt = targets.ptr();
  std::int64_t correct = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = pl + r * classes;
    const std::int64_t predicted = std::max_element(row, row + classes) - row;
    const std::int64_t label =
        soft ? std::max_element(pt + r * classes, pt + (r + 1) * classes) - (pt + r * classes)
             : static_cast<std::int64_t>(pt[r]);
    correct += predicted == label;
  }
  return correct;
}

}  // namespace dither
