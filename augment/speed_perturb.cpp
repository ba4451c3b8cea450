#include "augment/speed_perturb.h"

#include <algorithm>

#include "augment/audio_input.h"
#include "core/audio/resample.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

std::vector<float> change_speed(std::span<const float> x, double factor) {
  check(factor > 0.0, "change_speed: factor must be > 0, got ", factor);
  return resample(x, factor, 1.0);
}

Batch speed_perturb(const Batch& waves, std::span<const double> factors,
                    std::vector<char>& changed) {
  const std::int64_t b = waves.size();
  const std::int64_t t = waves.inputs.size(1);
  check_shape(static_cast<std::int64_t>(factors.size()) == b, "speed_perturb: ", factors.size(),
              " factors for a batch of ", b);
  const std::vector<std::int64_t> lengths = sample_lengths(waves);
  changed.assign(static_cast<std::size_t>(b), 0);
  Batch out = waves;
  out.inputs = waves.inputs.clone();
  out.lengths = waves.lengths.clone();
  parallel_for(
      b,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const auto k = static_cast<std::size_t>(i);
          if (factors[k] == 1.0 || lengths[k] == 0) continue;
          const float* in = waves.inputs.ptr() + i * t;
          const std::vector<float> y =
              change_speed({in, static_cast<std::size_t>(lengths[k])}, factors[k]);
          const auto n = std::min<std::int64_t>(t, static_cast<std::int64_t>(y.size()));
          float* o = out.inputs.ptr() + i * t;
          std::copy_n(y.begin(), n, o);
          std::fill(o + n, o + t, 0.0f);
          out.lengths.ptr()[i] = static_cast<float>(n);
          changed[k] = 1;
        }
      },
      1);
  return out;
}

SpeedPerturbHook::SpeedPerturbHook(std::vector<double> factors, double p)
    : Hook(p), factors_(std::move(factors)) {}

std::unique_ptr<Hook> SpeedPerturbHook::from_json(const nlohmann::json& spec,
                                                  const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "factors", "p"});
  std::vector<double> factors{0.9, 1.0, 1.1};
  if (r.has("factors")) {
    const nlohmann::json& list = r.at("factors");
    if (!list.is_array() || list.empty()) {
      throw ConfigError(r.path_of("factors") + ": must be a non-empty list of speed factors");
    }
    factors.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      factors.push_back(JsonReader::number_at(list[i], index_path(r.path_of("factors"), i),
                                              Interval::closed(0.25, 4.0)));
    }
  }
  return std::make_unique<SpeedPerturbHook>(std::move(factors), r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json SpeedPerturbHook::to_json() const {
  return {{"type", type_name()}, {"factors", factors_}, {"p", p()}};
}

void SpeedPerturbHook::setup(const HookSetup& setup) {
  require_audio_inputs(setup, "speed_perturb");
  audio_ = setup.audio;
}

void SpeedPerturbHook::on_batch(StepContext& ctx, Batch& batch) {
  if (!fires(ctx)) return;
  const RandomStream stream = ctx.stream("speed_perturb");
  std::vector<double> factors(static_cast<std::size_t>(batch.size()));
  for (std::size_t i = 0; i < factors.size(); ++i) {
    factors[i] = factors_[static_cast<std::size_t>(
        stream.integer(i, static_cast<std::int64_t>(factors_.size())))];
  }
  if (std::all_of(factors.begin(), factors.end(), [](double f) { return f == 1.0; })) return;
  std::vector<char> changed;
  const Batch waves = speed_perturb(batch_waveforms(batch, audio_.get()), factors, changed);
  set_batch_waveforms(batch, waves, changed, audio_.get());
}

}  // namespace dither
