#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "augment/adversarial_training.h"
#include "augment/hook.h"
#include "augment/registry.h"
#include "core/autograd.h"
#include "core/ops/arithmetic.h"
#include "core/random.h"
#include "layers/activations.h"
#include "layers/linear.h"
#include "layers/loss.h"
#include "layers/sequential.h"
#include "optim/sgd.h"
#include "run_testing.h"
#include "train/data/loader.h"
#include "train/data/toy2d.h"
#include "train/evaluate.h"
#include "train/experiment.h"
#include "train/progress.h"
#include "train/trainer.h"

namespace dither {
namespace {

using Log = std::vector<std::string>;

// A hook made of optional callbacks; every call is also written to a shared log as
// "<name>.<event>@<step>".
class SpyHook : public GradientHook {
 public:
  using Callback = std::function<void(StepContext&)>;
  using BatchCallback = std::function<void(StepContext&, Batch&)>;
  using LossCallback = std::function<Tensor(StepContext&, const Batch&, const Tensor&, Tensor)>;
  SpyHook(std::string name, std::shared_ptr<Log> log) : name_(std::move(name)), log_(log) {}

  std::string type_name() const override { return "spy"; }
  nlohmann::json to_json() const override { return {{"type", "spy"}, {"name", name_}}; }
  void on_epoch_start(StepContext& ctx) override {
    note("on_epoch_start", ctx);
    if (epoch_start) epoch_start(ctx);
  }
  void on_batch(StepContext& ctx, Batch& batch) override {
    note("on_batch", ctx);
    if (batch_fn) batch_fn(ctx, batch);
  }
  Tensor on_loss(StepContext& ctx, const Batch& batch, const Tensor& logits, Tensor loss) override {
    note("on_loss", ctx);
    return loss_fn ? loss_fn(ctx, batch, logits, std::move(loss)) : loss;
  }
  void on_gradients(StepContext& ctx) override {
    note("on_gradients", ctx);
    if (gradients) gradients(ctx);
  }
  void on_step_end(StepContext& ctx) override {
    note("on_step_end", ctx);
    if (step_end) step_end(ctx);
  }

  Callback epoch_start, gradients, step_end;
  BatchCallback batch_fn;
  LossCallback loss_fn;

 private:
  void note(const char* event, const StepContext& ctx) {
    if (log_) log_->push_back(name_ + "." + event + "@" + std::to_string(ctx.step));
  }
  std::string name_;
  std::shared_ptr<Log> log_;
};

// A model, its criterion and a plain SGD optimiser; the trainer is built over them per test.
struct Rig {
  explicit Rig(std::shared_ptr<Sequential> m)
      : model(std::move(m)), optimizer(model->parameters(), SgdOptions{.lr = 0.1}) {}

  Trainer& trainer(std::vector<std::unique_ptr<Hook>> hooks) {
    trainer_ = std::make_unique<Trainer>(*model, loss, optimizer, nullptr, std::move(hooks),
                                         InputInfo{}, TrainSettings{}, /*seed=*/11);
    return *trainer_;
  }
  double loss_at(const Tensor& x, const Tensor& targets) {
    NoGradGuard no_grad;
    return loss(model->forward(x), targets).item();
  }

  std::shared_ptr<Sequential> model;
  Loss loss;
  Sgd optimizer;

 private:
  std::unique_ptr<Trainer> trainer_;
};

std::shared_ptr<Sequential> linear_model(std::int64_t in, std::int64_t out) {
  manual_seed(5);
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(LinearOptions{.in = in, .out = out}));
  return model;
}

// Smooth everywhere, so finite differences need no kink handling.
std::shared_ptr<Sequential> tanh_model(std::int64_t in, std::int64_t out) {
  manual_seed(6);
  auto model = std::make_shared<Sequential>();
  model->add(std::make_shared<Linear>(LinearOptions{.in = in, .out = 5}));
  model->add(std::make_shared<Tanh>());
  model->add(std::make_shared<Linear>(LinearOptions{.in = 5, .out = out}));
  return model;
}

Tensor batch_inputs() { return Tensor::randn({4, 3}, RandomStream(21, "inputs")); }
Tensor batch_targets() { return Tensor::from({0.0f, 1.0f, 2.0f, 1.0f}, {4}); }
Batch make_test_batch(Tensor inputs = batch_inputs()) {
  Batch batch;
  batch.inputs = std::move(inputs);
  batch.targets = batch_targets();
  batch.num_classes = 3;
  return batch;
}

std::vector<std::unique_ptr<Hook>> just(std::unique_ptr<Hook> hook) {
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(std::move(hook));
  return hooks;
}

bool all_grads_undefined(const Module& model) {
  for (const auto& [name, p] : model.named_parameters()) {
    if (p.grad().defined()) return false;
  }
  return true;
}

// Without a GradientHook each parameter is updated inside the backward sweep; with one (a spy
// that does nothing) after it. Both must train the same weights, bitwise.
TEST(TrainerHooksTest, UpdatingInsideTheBackwardSweepGivesTheWeightsOfAStepAfterIt) {
  Rig inside(tanh_model(3, 3));
  Rig after(tanh_model(3, 3));
  Trainer& fused = inside.trainer({});
  Trainer& plain = after.trainer(just(std::make_unique<SpyHook>("spy", nullptr)));
  for (std::int64_t b = 0; b < 3; ++b) {
    const Batch batch = make_test_batch(Tensor::randn({4, 3}, RandomStream(30 + b, "x")));
    const auto [fused_loss, fused_right] = fused.train_step(batch, 0, b);
    const auto [plain_loss, plain_right] = plain.train_step(batch, 0, b);
    EXPECT_EQ(fused_loss, plain_loss);
    EXPECT_EQ(fused_right, plain_right);
  }
  const NamedTensors a = inside.model->named_parameters();
  const NamedTensors b = after.model->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].second.to_vector(), b[i].second.to_vector()) << a[i].first;
    EXPECT_NE(a[i].second.to_vector(), tanh_model(3, 3)->named_parameters()[i].second.to_vector())
        << a[i].first << " was not updated";
  }
}

TEST(TrainerHooksTest, CallsHooksInTheDocumentedOrderEveryStep) {
  Rig rig(linear_model(3, 3));
  auto log = std::make_shared<Log>();
  Trainer& trainer = rig.trainer(just(std::make_unique<SpyHook>("spy", log)));
  trainer.train_step(make_test_batch(), 0, 0);
  trainer.train_step(make_test_batch(), 0, 1);
  const Log expected = {"spy.on_batch@0",     "spy.on_loss@0",    "spy.on_gradients@0",
                        "spy.on_step_end@0",  "spy.on_batch@1",   "spy.on_loss@1",
                        "spy.on_gradients@1", "spy.on_step_end@1"};
  EXPECT_EQ(*log, expected);
  EXPECT_EQ(trainer.step(), 2);
}

TEST(TrainerHooksTest, EachStageSeesWhatTheTrainerHasDoneBeforeIt) {
  Rig rig(linear_model(3, 3));
  auto spy = std::make_unique<SpyHook>("spy", nullptr);
  const Tensor weight = rig.model->named_parameters()[0].second;
  std::vector<float> before_step;
  spy->batch_fn = [&](StepContext&, Batch& batch) {
    EXPECT_EQ(batch.inputs.shape(), (Shape{4, 3}));
    EXPECT_EQ(batch.num_classes, 3);
  };
  spy->loss_fn = [&](StepContext&, const Batch&, const Tensor& logits, Tensor loss) {
    EXPECT_EQ(logits.shape(), (Shape{4, 3}));
    EXPECT_EQ(loss.numel(), 1);
    EXPECT_TRUE(all_grads_undefined(*rig.model));  // zeroed, and no backward yet
    return loss;
  };
  spy->gradients = [&](StepContext&) {
    EXPECT_TRUE(weight.grad().defined());
    before_step = weight.to_vector();
  };
  spy->step_end = [&](StepContext&) {
    EXPECT_NE(weight.to_vector(), before_step);  // the optimiser has stepped
  };
  Trainer& trainer = rig.trainer(just(std::move(spy)));
  const auto [loss, correct] = trainer.train_step(make_test_batch(), 0, 0);
  EXPECT_NEAR(loss, rig.loss_at(batch_inputs(), batch_targets()), 0.5);  // one SGD step away
  EXPECT_LE(correct, 4);
  EXPECT_FALSE(before_step.empty());
}

TEST(TrainerHooksTest, ALossTermAddedInOnLossIsBackPropagatedAndReported) {
  Rig rig(linear_model(3, 3));
  auto spy = std::make_unique<SpyHook>("spy", nullptr);
  spy->loss_fn = [](StepContext&, const Batch&, const Tensor&, Tensor loss) {
    return mul(loss, 3.0f);
  };
  const double clean = rig.loss_at(batch_inputs(), batch_targets());
  std::vector<float> grad;
  spy->gradients = [&](StepContext& ctx) {
    grad = ctx.model->named_parameters()[0].second.grad().to_vector();
  };
  const auto [loss, correct] =
      rig.trainer(just(std::move(spy))).train_step(make_test_batch(), 0, 0);
  EXPECT_NEAR(loss, 3.0 * clean, 1e-5);
  Rig plain(linear_model(3, 3));
  Tensor leaf = batch_inputs();
  const Tensor w = plain.model->named_parameters()[0].second;
  const Tensor g = dither::grad(plain.loss(plain.model->forward(leaf), batch_targets()), {w})[0];
  for (std::size_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], 3.0f * g.ptr()[i], 1e-5);
}

TEST(TrainerHooksTest, EpochStartRunsOnceBeforeEachEpochsBatches) {
  const Dataset data = make_moons(8, 0.1, RandomStream(3, "moons"));
  BatchLoader loader(data, LoaderOptions{.batch_size = 4}, 3);
  ASSERT_EQ(loader.num_batches(), 2);
  Rig rig(linear_model(2, 2));
  auto log = std::make_shared<Log>();
  Trainer& trainer = rig.trainer(just(std::make_unique<SpyHook>("spy", log)));
  Progress progress(Progress::Style::quiet, 2, loader.num_batches());
  for (std::int64_t epoch = 0; epoch < 2; ++epoch) trainer.train_epoch(loader, epoch, progress);

  Log expected;
  auto expect = [&](const char* event, int step) {
    expected.push_back(std::string("spy.") + event + '@' + std::to_string(step));
  };
  for (int step = 0; step < 4; ++step) {
    if (step % 2 == 0) expect("on_epoch_start", step);
    for (const char* event : {"on_batch", "on_loss", "on_gradients", "on_step_end"}) {
      expect(event, step);
    }
  }
  EXPECT_EQ(*log, expected);
}

TEST(TrainerHooksTest, HooksRunInConfigOrderAtEveryStage) {
  Rig rig(linear_model(3, 3));
  auto log = std::make_shared<Log>();
  std::vector<std::size_t> indices;
  std::vector<std::unique_ptr<Hook>> hooks;
  for (const char* name : {"first", "second"}) {
    auto spy = std::make_unique<SpyHook>(name, log);
    spy->batch_fn = [&](StepContext& ctx, Batch&) { indices.push_back(ctx.hook_index); };
    hooks.push_back(std::move(spy));
  }
  rig.trainer(std::move(hooks)).train_step(make_test_batch(), 0, 0);
  const Log expected = {"first.on_batch@0",    "second.on_batch@0",    "first.on_loss@0",
                        "second.on_loss@0",    "first.on_gradients@0", "second.on_gradients@0",
                        "first.on_step_end@0", "second.on_step_end@0"};
  EXPECT_EQ(*log, expected);
  EXPECT_EQ(indices, (std::vector<std::size_t>{0, 1}));
}

TEST(TrainerHooksTest, ConfigNoiseListBuildsHooksInItsOrder) {
  const auto hooks = make_hooks(nlohmann::json::parse(R"([{"type": "fgsm", "eps": 0.1},
      {"type": "gaussian", "sigma": 0.2}, {"type": "fgsm", "eps": 0.3}])"));
  ASSERT_EQ(hooks.size(), 3u);
  EXPECT_EQ(hooks[0]->to_json().at("eps"), 0.1);
  EXPECT_EQ(hooks[1]->type_name(), "gaussian");
  EXPECT_EQ(hooks[2]->to_json().at("eps"), 0.3);
}

TEST(TrainerHooksTest, ReplacedInputsAreWhatTheModelSees) {
  Rig rig(linear_model(3, 3));
  const Tensor replacement = Tensor::full({4, 3}, 0.5f);
  Tensor expected;
  Tensor seen;
  {
    NoGradGuard no_grad;
    expected = rig.model->forward(replacement).clone();
  }
  auto replace = std::make_unique<SpyHook>("replace", nullptr);
  replace->batch_fn = [&](StepContext&, Batch& batch) { batch.inputs = replacement; };
  auto probe = std::make_unique<SpyHook>("probe", nullptr);
  probe->loss_fn = [&](StepContext&, const Batch&, const Tensor& logits, Tensor loss) {
    seen = logits.detach().clone();
    return loss;
  };
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(std::move(replace));
  hooks.push_back(std::move(probe));
  rig.trainer(std::move(hooks)).train_step(make_test_batch(), 0, 0);
  ASSERT_TRUE(seen.defined());
  EXPECT_EQ(seen.to_vector(), expected.to_vector());
}

TEST(TrainerHooksTest, InputGradientMatchesFiniteDifferencesAndTouchesNoParameterGrad) {
  Rig rig(tanh_model(3, 3));
  Tensor x = batch_inputs();
  const Tensor targets = batch_targets();
  std::vector<double> numeric(static_cast<std::size_t>(x.numel()));
  const double h = 1e-2;
  for (std::int64_t k = 0; k < x.numel(); ++k) {
    Tensor xp = x.clone();
    Tensor xm = x.clone();
    xp.data()[k] += static_cast<float>(h);
    xm.data()[k] -= static_cast<float>(h);
    numeric[static_cast<std::size_t>(k)] =
        (rig.loss_at(xp, targets) - rig.loss_at(xm, targets)) / (2 * h);
  }
  Tensor analytic;
  bool untouched = false;
  auto spy = std::make_unique<SpyHook>("spy", nullptr);
  spy->batch_fn = [&](StepContext& ctx, Batch& batch) {
    analytic = ctx.input_gradient(
        batch.inputs, [&](const Tensor& logits) { return ctx.loss(logits, batch.targets); },
        PassMode::eval);
    untouched = all_grads_undefined(*rig.model);
  };
  rig.trainer(just(std::move(spy))).train_step(make_test_batch(x), 0, 0);
  EXPECT_TRUE(untouched);
  ASSERT_EQ(analytic.shape(), x.shape());
  for (std::int64_t k = 0; k < x.numel(); ++k) {
    const double n = numeric[static_cast<std::size_t>(k)];
    const double a = analytic.data()[k];
    EXPECT_NEAR(a, n, 1e-3 * std::max({1.0, std::abs(a), std::abs(n)})) << "element " << k;
  }
}

// What the FGSM hook should produce, computed by hand from the model before the step.
struct FgsmReference {
  Tensor x_adv;
  double clean_loss = 0.0;
  double adversarial_loss = 0.0;
  std::vector<Tensor> clean_grads, adversarial_grads;
};

FgsmReference fgsm_reference(Rig& rig, const Tensor& x, const Tensor& targets, float eps) {
  FgsmReference r;
  const std::vector<Tensor> params = rig.model->parameters();
  Tensor leaf = x.clone();
  leaf.set_requires_grad(true);
  std::vector<Tensor> targets_and_input = params;
  targets_and_input.push_back(leaf);
  const Tensor clean = rig.loss(rig.model->forward(leaf), targets);
  r.clean_loss = clean.item();
  r.clean_grads = grad(clean, targets_and_input);
  const float inf = std::numeric_limits<float>::infinity();
  r.x_adv = fgsm_perturb(x, r.clean_grads.back(), eps, -inf, inf);
  r.clean_grads.pop_back();
  const Tensor adversarial = rig.loss(rig.model->forward(r.x_adv), targets);
  r.adversarial_loss = adversarial.item();
  r.adversarial_grads = grad(adversarial, params);
  return r;
}

std::unique_ptr<Hook> fgsm_hook(double eps, double weight) {
  AttackSpec attack;
  attack.eps = eps;
  attack.alpha = eps;
  return std::make_unique<AdversarialTrainingHook>("fgsm", Strength{eps}, attack, weight, 1.0);
}

TEST(TrainerHooksTest, FgsmTrainsOnTheWeightedSumOfCleanAndAdversarialLosses) {
  const double eps = 0.2;
  const double w = 0.3;
  Rig rig(linear_model(3, 3));
  const Tensor x = batch_inputs();
  const FgsmReference ref = fgsm_reference(rig, x, batch_targets(), static_cast<float>(eps));
  ASSERT_TRUE(all_grads_undefined(*rig.model));

  std::vector<std::vector<float>> grads;
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(fgsm_hook(eps, w));
  auto spy = std::make_unique<SpyHook>("spy", nullptr);
  spy->gradients = [&](StepContext& ctx) {
    for (const Tensor& p : ctx.model->parameters()) grads.push_back(p.grad().to_vector());
  };
  hooks.push_back(std::move(spy));
  const auto [total, correct] = rig.trainer(std::move(hooks)).train_step(make_test_batch(x), 0, 0);

  EXPECT_NEAR(total, (1 - w) * ref.clean_loss + w * ref.adversarial_loss, 1e-6);
  EXPECT_GT(ref.adversarial_loss, ref.clean_loss);  // the attack did raise the loss
  ASSERT_EQ(grads.size(), ref.clean_grads.size());
  for (std::size_t p = 0; p < grads.size(); ++p) {
    for (std::size_t i = 0; i < grads[p].size(); ++i) {
      const double expected =
          (1 - w) * ref.clean_grads[p].data()[i] + w * ref.adversarial_grads[p].data()[i];
      EXPECT_NEAR(grads[p][i], expected, 1e-6) << "parameter " << p << " element " << i;
    }
  }
}

TEST(TrainerHooksTest, FgsmWithWeightOneTrainsOnTheAdversarialBatchAlone) {
  const double eps = 0.2;
  Rig rig(linear_model(3, 3));
  const Tensor x = batch_inputs();
  const FgsmReference ref = fgsm_reference(rig, x, batch_targets(), static_cast<float>(eps));
  Tensor seen;
  std::vector<std::unique_ptr<Hook>> hooks;
  hooks.push_back(fgsm_hook(eps, 1.0));
  auto spy = std::make_unique<SpyHook>("spy", nullptr);
  spy->loss_fn = [&](StepContext&, const Batch& batch, const Tensor&, Tensor loss) {
    seen = batch.inputs;
    return loss;
  };
  hooks.push_back(std::move(spy));
  const auto [total, correct] = rig.trainer(std::move(hooks)).train_step(make_test_batch(x), 0, 0);
  ASSERT_TRUE(seen.defined());
  EXPECT_EQ(seen.to_vector(), ref.x_adv.to_vector());
  EXPECT_NEAR(total, ref.adversarial_loss, 1e-6);
}

TEST(TrainerHooksTest, EvaluationIsDeterministicWithNoiseLayersAndHooks) {
  nlohmann::json config = testing::moons_config(1);
  config["model"]["layers"] = nlohmann::json::parse(R"([
      {"type": "linear", "out": 16}, {"type": "relu"}, {"type": "dropout", "p": 0.3},
      {"type": "gaussian_noise", "sigma": 0.2}, {"type": "linear", "out": 2}])");
  config["noise"] = nlohmann::json::parse(
      R"([{"type": "gaussian", "sigma": 0.1}, {"type": "fgsm", "eps": 0.05}])");
  Experiment e = build_experiment(config);
  Trainer trainer(*e.model, *e.loss, *e.optimizer, e.schedule.get(), std::move(e.hooks), e.input,
                  e.settings, e.seed);
  BatchLoader loader(e.data.train, LoaderOptions{.batch_size = 32}, e.seed);
  Progress progress(Progress::Style::quiet, 1, loader.num_batches());
  trainer.train_epoch(loader, 0, progress);

  const Evaluation first = evaluate(*e.model, e.data.test);
  const Evaluation second = evaluate(*e.model, e.data.test);
  EXPECT_TRUE(e.model->is_training());  // the mode is restored
  EXPECT_EQ(first.count, 200);
  EXPECT_EQ(first.accuracy, second.accuracy);
  EXPECT_EQ(first.loss, second.loss);
  EXPECT_EQ(first.ece, second.ece);
  EXPECT_EQ(first.confusion, second.confusion);
}

}  // namespace
}  // namespace dither
