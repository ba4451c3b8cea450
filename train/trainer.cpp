#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/autograd.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "optim/clip.h"

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
      params_(model.named_parameters()) {}

Tensor Trainer::input_gradient(const Tensor& x, const Tensor& targets) {
  Tensor leaf = x.detach();
  leaf.set_requires_grad(true);
  return grad(loss_(model_.forward(leaf), targets), {leaf})[0];
}

std::pair<double, std::int64_t> Trainer::train_step(Tensor inputs, Tensor targets,
                                                    std::int64_t epoch, std::int64_t batch_index) {
  StepContext ctx;  // assigned field by field: designated initialisers warn on Tensor members
  ctx.epoch = epoch;
  ctx.step = step_;
  ctx.batch_index = batch_index;
  ctx.total_epochs = settings_.epochs;
  ctx.inputs = std::move(inputs);
  ctx.targets = std::move(targets);
  ctx.model = &model_;
  ctx.input = &input_;
  ctx.seed = seed_;
  ctx.loss_of = [this](const Tensor& x, const Tensor& t) { return loss_(model_.forward(x), t); };
  ctx.input_gradient = [this](const Tensor& x, const Tensor& t) { return input_gradient(x, t); };
  auto each_hook = [&](void (Hook::*call)(StepContext&)) {
    for (std::size_t i = 0; i < hooks_.size(); ++i) {
      ctx.hook_index = i;
      (hooks_[i].get()->*call)(ctx);
    }
  };

  each_hook(&Hook::on_batch_start);
  if (ctx.need_input_grad) {
    ctx.inputs = ctx.inputs.detach();
    ctx.inputs.set_requires_grad(true);
  }
  optimizer_.zero_grad();
  ctx.outputs = model_.forward(ctx.inputs);
  ctx.loss = loss_(ctx.outputs, ctx.targets);
  each_hook(&Hook::on_loss);
  check_shape(ctx.loss.numel() == 1, "trainer: the loss must be a scalar, got shape ",
              ctx.loss.shape());
  ctx.loss.backward();
  each_hook(&Hook::on_backward);
  check_finite(ctx);
  if (settings_.clip_grad_value > 0.0)
    clip_grad_value(optimizer_.params(), settings_.clip_grad_value);
  if (settings_.clip_grad_norm > 0.0) clip_grad_norm(optimizer_.params(), settings_.clip_grad_norm);
  optimizer_.step();
  if (schedule_ != nullptr) schedule_->step_batch();
  each_hook(&Hook::on_step_end);
  ++step_;
  return {ctx.loss.item() + ctx.extra_loss, count_correct(ctx.outputs, ctx.targets)};
}

namespace {

// The first NaN or Inf in `t`, or null. A float is non-finite exactly when its exponent bits are
// all set; an integer OR-reduction of that test vectorises, where a float loop would not.
const float* first_non_finite(const Tensor& t) {
  const float* p = t.ptr();
  const std::int64_t n = t.numel();
  const auto* bits = reinterpret_cast<const std::uint32_t*>(p);
  std::uint32_t non_finite = 0;
  for (std::int64_t i = 0; i < n; ++i) non_finite |= (bits[i] & 0x7f800000u) == 0x7f800000u;
  if (non_finite == 0) return nullptr;
  return std::find_if(p, p + n, [](float v) { return !std::isfinite(v); });
}

}  // namespace

void Trainer::check_parameters(std::int64_t epoch) const {
  for (const auto& [name, param] : params_) {
    if (const float* bad = first_non_finite(param)) {
      throw DivergenceError(str("training diverged in epoch ", epoch + 1, ": parameter '", name,
                                "' holds ", *bad, " after the optimiser step; try a smaller ",
                                "learning rate or gradient clipping"));
    }
  }
}

void Trainer::check_finite(const StepContext& ctx) const {
  const double loss = ctx.loss.item() + ctx.extra_loss;
  if (!std::isfinite(loss)) {
    throw DivergenceError(str("training diverged at step ", step_, " (epoch ", ctx.epoch + 1,
                              ", batch ", ctx.batch_index + 1, "): the loss is ", loss,
                              "; try a smaller learning rate or gradient clipping"));
  }
  for (const auto& [name, param] : params_) {
    const Tensor g = param.grad();
    if (!g.defined()) continue;
    const float* bad = first_non_finite(g);
    if (bad == nullptr) continue;
    throw DivergenceError(str("training diverged at step ", step_, " (epoch ", ctx.epoch + 1,
                              ", batch ", ctx.batch_index + 1, "): the gradient of '", name,
                              "' holds ", *bad,
                              "; try a smaller learning rate or gradient clipping"));
  }
}

EpochStats Trainer::train_epoch(BatchLoader& loader, std::int64_t epoch, Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  model_.train();
  for (auto& hook : hooks_) {
    StepContext ctx;
    ctx.epoch = epoch;
    ctx.step = step_;
    ctx.total_epochs = settings_.epochs;
    ctx.model = &model_;
    ctx.input = &input_;
    ctx.seed = seed_;
    hook->on_epoch_start(ctx);
  }
  progress.start_epoch(epoch);
  EpochStats stats;
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  const std::int64_t batches = loader.num_batches();
  for (std::int64_t b = 0; b < batches; ++b) {
    Batch batch = loader.batch(epoch, b);
    const std::int64_t n = batch.targets.size(0);
    const auto [loss, right] =
        train_step(std::move(batch.inputs), std::move(batch.targets), epoch, b);
    loss_sum += loss * static_cast<double>(n);
    correct += right;
    stats.samples += n;
    progress.batch_done(b, n, loss_sum / static_cast<double>(stats.samples),
                        static_cast<double>(correct) / static_cast<double>(stats.samples));
  }
  if (stats.samples > 0) {
    stats.loss = loss_sum / static_cast<double>(stats.samples);
    stats.accuracy = static_cast<double>(correct) / static_cast<double>(stats.samples);
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

Evaluation evaluate(Module& model, const Dataset& data, std::int64_t batch_size) {
  EvalModeGuard eval(model);
  NoGradGuard no_grad;
  MetricAccumulator metrics(data.num_classes);
  BatchLoader loader(data, LoaderOptions{.batch_size = batch_size, .shuffle = false}, 0);
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) {
    const Batch batch = loader.batch(0, b);
    metrics.add(model.forward(batch.inputs), batch.targets);
  }
  return metrics.result();
}

std::int64_t count_correct(const Tensor& logits, const Tensor& targets) {
  if (logits.dim() != 2) return 0;
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
