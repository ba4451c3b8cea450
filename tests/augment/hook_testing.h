#pragma once

// What a hook test needs to call a hook as the trainer would: a small model, a loss, the data's
// InputInfo and a StepContext for any step, with side-effect-free passes wired to the model.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "augment/hook.h"
#include "augment/registry.h"
#include "layers/loss.h"
#include "layers/registry.h"

namespace dither::testing {

class HookRig {
 public:
  /// `layers`: the model's JSON layer list for per-sample inputs of `info.sample_shape`.
  HookRig(InputInfo info, const nlohmann::json& layers, std::uint64_t seed = 7,
          LossOptions loss = {})
      : info_(std::move(info)),
        loss_(std::move(loss)),
        model_(build_model({{"layers", layers}}, info_.sample_shape, "model", seed)),
        seed_(seed) {}

  /// A hook from its JSON spec, set up against this rig as build_experiment does.
  std::unique_ptr<Hook> hook(const nlohmann::json& spec, const std::string& path = "noise[0]") {
    auto hook = HookRegistry::instance().create(spec, path);
    hook->setup(HookSetup{info_, *model_, loss_, path, training_inputs_, audio_});
    return hook;
  }

  /// The context of step `step` (epoch `epoch`), its passes wired to the model.
  StepContext context(std::int64_t step, std::int64_t epoch = 0, std::size_t hook_index = 0) {
    passes_ = std::make_unique<ExtraPasses>(*model_, NoiseClock{seed_, step, kTrainPass + 1});
    StepContext ctx;
    ctx.epoch = epoch;
    ctx.step = step;
    ctx.batch_index = step;
    ctx.batches_per_epoch = 1 << 20;
    ctx.total_epochs = 10;
    ctx.hook_index = hook_index;
    ctx.seed = seed_;
    ctx.model = model_.get();
    ctx.input = &info_;
    ctx.criterion = &loss_;
    ctx.passes = passes_.get();
    return ctx;
  }

  /// `batch` after hook.on_batch at step `step`, as the trainer would hand it on.
  Batch on_batch(Hook& hook, Batch batch, std::int64_t step) {
    StepContext ctx = context(step);
    hook.on_batch(ctx, batch);
    return batch;
  }

  /// A batch of `inputs` with class ids `targets`.
  Batch batch(Tensor inputs, Tensor targets) const {
    Batch b;
    b.inputs = std::move(inputs);
    b.targets = std::move(targets);
    b.num_classes = info_.num_classes;
    for (std::int64_t i = 0; i < b.inputs.size(0); ++i) b.indices.push_back(i);
    return b;
  }

  Sequential& model() { return *model_; }
  Loss& loss() { return loss_; }
  InputInfo& info() { return info_; }
  /// What HookSetup::training_inputs returns (empty function: not available).
  void set_training_inputs(Tensor inputs) {
    training_inputs_ = [inputs](std::int64_t) { return inputs; };
  }
  /// What HookSetup::audio holds (null: not audio behind spectrograms).
  void set_audio(std::shared_ptr<AudioSource> audio) { audio_ = std::move(audio); }

 private:
  InputInfo info_;
  Loss loss_;
  std::shared_ptr<Sequential> model_;
  std::uint64_t seed_;
  std::unique_ptr<ExtraPasses> passes_;
  std::function<Tensor(std::int64_t)> training_inputs_;
  std::shared_ptr<AudioSource> audio_;
};

/// Image data facts: [C, H, W] in [0, 1] with `classes` classes.
inline InputInfo image_info(std::int64_t c, std::int64_t h, std::int64_t w,
                            std::int64_t classes = 10) {
  InputInfo info;
  info.kind = InputKind::image;
  info.sample_shape = {c, h, w};
  info.low = 0.0f;
  info.high = 1.0f;
  info.num_classes = classes;
  return info;
}

/// Spectrogram data facts: [1, bands, frames], unbounded, `classes` classes.
inline InputInfo spectrogram_info(std::int64_t bands, std::int64_t frames,
                                  std::int64_t classes = 10) {
  InputInfo info;
  info.kind = InputKind::spectrogram;
  info.sample_shape = {1, bands, frames};
  info.num_classes = classes;
  return info;
}

/// Waveform data facts: sequences [samples, 1], unbounded, `classes` classes.
inline InputInfo waveform_info(std::int64_t samples, std::int64_t classes = 10) {
  InputInfo info;
  info.kind = InputKind::sequence;
  info.sample_shape = {samples, 1};
  info.num_classes = classes;
  return info;
}

/// Tabular data facts: `features` unbounded features, `classes` classes.
inline InputInfo tabular_info(std::int64_t features, std::int64_t classes = 3) {
  InputInfo info;
  info.kind = InputKind::tabular;
  info.sample_shape = {features};
  info.num_classes = classes;
  return info;
}

}  // namespace dither::testing
