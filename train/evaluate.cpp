#include "train/evaluate.h"

#include <cmath>

#include "core/autograd.h"
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

Evaluation evaluate(Module& model, const Dataset& data, const EvalOptions& options) {
  const bool mc = options.mc_samples > 0;
  const ModeGuard mode(model, /*training=*/false, mc, model.noise_clock());
  NoGradGuard no_grad;
  MetricAccumulator metrics(data.num_classes);
  BatchLoader loader(data, LoaderOptions{.batch_size = options.batch_size, .shuffle = false}, 0);
  for (std::int64_t b = 0; b < loader.num_batches(); ++b) {
    Batch batch = loader.batch(0, b);
    if (options.transform) {
      const SequenceLengthsGuard lengths(model, batch.lengths);  // for the transform's passes
      ExtraPasses passes(model, NoiseClock{options.seed, b, kEvalPass + kTransformPasses});
      options.transform(batch, passes, b);
    }
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
