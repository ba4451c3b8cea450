#include "augment/temporal_dropout.h"

#include <algorithm>

#include "augment/sequence.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

Tensor temporal_dropout(const Tensor& x, const std::vector<std::int64_t>& lengths, float rate,
                        StepFill fill, const RandomStream& stream) {
  check_shape(x.dim() == 3 && static_cast<std::size_t>(x.size(0)) == lengths.size(),
              "temporal_dropout: needs inputs [B, T, F] and B lengths, got ", x.shape(), " and ",
              lengths.size());
  const std::int64_t steps = x.size(1);
  const std::int64_t features = x.size(2);
  std::vector<float> draws(static_cast<std::size_t>(x.size(0) * steps));
  stream.fill_uniform(draws, 0.0f, 1.0f);
  Tensor out = x.clone();
  parallel_for(
      x.size(0),
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
          float* o = out.ptr() + b * steps * features;
          const float* held = nullptr;  // the last kept step of this sample
          for (std::int64_t t = 0; t < lengths[static_cast<std::size_t>(b)]; ++t) {
            float* step = o + t * features;
            if (draws[static_cast<std::size_t>(b * steps + t)] >= rate) {
              held = step;
            } else if (fill == StepFill::previous && held != nullptr) {
              std::copy(held, held + features, step);
            } else {
              std::fill(step, step + features, 0.0f);
            }
          }
        }
      },
      16);
  return out;
}

TemporalDropoutHook::TemporalDropoutHook(Strength rate, StepFill fill, double p)
    : Hook(p), rate_(rate), fill_(fill) {}

std::unique_ptr<Hook> TemporalDropoutHook::from_json(const nlohmann::json& spec,
                                                     const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "rate", "fill", "p", "ramp_epochs"});
  const Strength rate = Strength::read(r, "rate", 0.05, 0.0, 1.0);
  const bool previous = r.string("fill", "zero", {"zero", "previous"}) == "previous";
  return std::make_unique<TemporalDropoutHook>(rate, previous ? StepFill::previous : StepFill::zero,
                                               r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json TemporalDropoutHook::to_json() const {
  nlohmann::json j{{"type", type_name()},
                   {"fill", fill_ == StepFill::previous ? "previous" : "zero"},
                   {"p", p()}};
  rate_.write(j, "rate");
  return j;
}

void TemporalDropoutHook::setup(const HookSetup& setup) {
  require_sequence_inputs(setup, "temporal_dropout");
}

void TemporalDropoutHook::on_batch(StepContext& ctx, Batch& batch) {
  const double rate = rate_.at(ctx.epochs_done());
  if (rate == 0.0 || !fires(ctx)) return;
  batch.inputs = temporal_dropout(batch.inputs, batch_lengths(batch, "temporal_dropout"),
                                  static_cast<float>(rate), fill_, ctx.stream("temporal_dropout"));
}

}  // namespace dither
