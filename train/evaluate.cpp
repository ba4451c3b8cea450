#include "train/evaluate.h"

#include <cmath>
#include <optional>

#include "core/autograd.h"
#include "core/error.h"
#include "core/parallel.h"
#include "train/data/loader.h"
#include "train/mc_dropout.h"

namespace dither {
namespace {

// Passes of batch b: MC sample t uses pass kEvalPass + t, the transform's passes start above
// every MC sample; the clock's step is the batch index, so batches draw independent noise.
constexpr std::uint64_t kTransformPasses = std::uint64_t{1} << 32;

// log of the mean of T passes' softmax probabilities (mc_predict's): valid logits for the metrics.
Tensor mc_log_mean_probabilities(Module& model, const Tensor& inputs, std::uint64_t seed,
                                 std::int64_t batch_index, std::int64_t samples) {
  Tensor mean = mc_predict(model, inputs, samples, seed, batch_index).mean_probabilities;
  float* m = mean.ptr();
  for (std::int64_t i = 0; i < mean.numel(); ++i) m[i] = std::log(std::max(m[i], 1e-30f));
  return mean;
}

}  // namespace

BatchOutputs eval_outputs(Module& model, const Dataset& data, std::int64_t batch_size,
                          std::uint64_t seed, const std::function<void(Batch&)>& corrupt) {
  const ModeGuard mode(model, /*training=*/false, /*mc_sampling=*/false, model.noise_clock());
  BatchLoader loader(data, LoaderOptions{.batch_size = batch_size, .shuffle = false}, 0);
  const std::int64_t batches = loader.num_batches();
  BatchOutputs out;
  out.logits.resize(static_cast<std::size_t>(batches));
  out.targets.resize(static_cast<std::size_t>(batches));
  // Sequence lengths and a model drawing noise in eval mode both set state on the shared model
  // for every batch; anything else leaves batches independent.
  const bool shared_state = !data.lengths.empty() || model.draws_noise_in_eval();
  auto run = [&](std::int64_t b) {
    Batch batch = loader.batch(0, b);  // unshuffled: reads the loader, never changes it
    if (corrupt) corrupt(batch);
    std::optional<SequenceLengthsGuard> lengths;
    if (shared_state) {
      lengths.emplace(model, batch.lengths);
      model.set_noise_clock(NoiseClock{seed, b, kEvalPass});
    }
    out.logits[static_cast<std::size_t>(b)] = model.forward(batch.inputs);
    out.targets[static_cast<std::size_t>(b)] = std::move(batch.targets);
  };
  if (num_threads() > 1 && batches > 1 && !shared_state) {
    parallel_for(
        batches,
        [&](std::int64_t b0, std::int64_t b1) {
          const SerialScope serial;
          const NoGradGuard no_grad;  // grad mode is per thread
          for (std::int64_t b = b0; b < b1; ++b) run(b);
        },
        1);
    return out;
  }
  const NoGradGuard no_grad;
  for (std::int64_t b = 0; b < batches; ++b) run(b);
  return out;
}

Evaluation evaluate(Module& model, const Dataset& data, const EvalOptions& options) {
  check(!options.transform || !options.corrupt, "evaluate: a transform or a corruption, not both");
  MetricAccumulator metrics(data.num_classes);
  const bool mc = options.mc_samples > 0;
  if (!mc && !options.transform) {
    const BatchOutputs out =
        eval_outputs(model, data, options.batch_size, options.seed, options.corrupt);
    for (std::size_t b = 0; b < out.logits.size(); ++b) metrics.add(out.logits[b], out.targets[b]);
    return metrics.result();
  }
  const ModeGuard mode(model, /*training=*/false, mc, model.noise_clock());
  NoGradGuard no_grad;
  BatchLoader loader(data, LoaderOptions{.batch_size = options.batch_size, .shuffle = false}, 0);
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) {
    Batch batch = loader.batch(0, b);
    if (options.transform) {
      const SequenceLengthsGuard lengths(model, batch.lengths);  // for the transform's passes
      ExtraPasses passes(model, NoiseClock{options.seed, b, kEvalPass + kTransformPasses});
      options.transform(batch, passes, b);
    }
    if (options.corrupt) options.corrupt(batch);
    const SequenceLengthsGuard lengths(model, batch.lengths);
    if (mc) {
      metrics.add(
          mc_log_mean_probabilities(model, batch.inputs, options.seed, b, options.mc_samples),
          batch.targets);
    } else {
      model.set_noise_clock(NoiseClock{options.seed, b, kEvalPass});
      metrics.add(model.forward(batch.inputs), batch.targets);
    }
  }
  return metrics.result();
}

}  // namespace dither
