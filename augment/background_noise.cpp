#include "augment/background_noise.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "augment/audio_input.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {
namespace {

const std::vector<std::string> kSources = {"white", "pink", "brown", "babble"};

double rms(std::span<const float> x) {
  if (x.empty()) return 0.0;
  double sq = 0.0;
  for (float v : x) sq += static_cast<double>(v) * v;
  return std::sqrt(sq / static_cast<double>(x.size()));
}

}  // namespace

std::vector<float> coloured_noise(const RealFft& fft, double exponent, const RandomStream& stream) {
  const std::int64_t bins = fft.bins();
  std::vector<float> normals(static_cast<std::size_t>(2 * bins));
  stream.fill_normal(normals, 0.0f, 1.0f);
  std::vector<std::complex<float>> spectrum(static_cast<std::size_t>(bins));
  for (std::int64_t k = 1; k < bins; ++k) {
    const auto scale = static_cast<float>(std::pow(static_cast<double>(k), -exponent / 2.0));
    spectrum[static_cast<std::size_t>(k)] = {scale * normals[static_cast<std::size_t>(2 * k)],
                                             scale * normals[static_cast<std::size_t>(2 * k + 1)]};
  }
  std::vector<float> out(static_cast<std::size_t>(fft.size()));
  fft.inverse(spectrum, out);
  return out;
}

std::vector<float> mix_at_snr(std::span<const float> signal, std::span<const float> noise,
                              double snr_db) {
  check(noise.size() >= signal.size(), "mix_at_snr: ", noise.size(), " noise samples for ",
        signal.size());
  std::vector<float> out(signal.begin(), signal.end());
  const double s = rms(signal);
  const double n = rms(noise.first(signal.size()));
  if (s < 1e-9 || n < 1e-9) return out;
  const double a = s / (n * std::pow(10.0, snr_db / 20.0));
  for (std::size_t t = 0; t < out.size(); ++t) {
    out[t] = static_cast<float>(signal[t] + a * noise[t]);
  }
  return out;
}

BackgroundNoiseHook::BackgroundNoiseHook(NoiseSource source, double min_snr_db, double max_snr_db,
                                         std::int64_t babble_size, std::int64_t babble_pool,
                                         double p)
    : Hook(p),
      source_(source),
      min_snr_db_(min_snr_db),
      max_snr_db_(max_snr_db),
      babble_size_(babble_size),
      babble_pool_(babble_pool) {}

std::unique_ptr<Hook> BackgroundNoiseHook::from_json(const nlohmann::json& spec,
                                                     const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "source", "min_snr_db", "max_snr_db", "babble_size", "babble_pool", "p"});
  const std::string source = r.string("source", "white", kSources);
  const double low = r.number("min_snr_db", 3.0, -60.0, 120.0);
  const double high = r.number("max_snr_db", std::max(low, 30.0), low, 120.0);
  return std::make_unique<BackgroundNoiseHook>(
      static_cast<NoiseSource>(std::find(kSources.begin(), kSources.end(), source) -
                               kSources.begin()),
      low, high, r.integer("babble_size", 5, 1, 64), r.integer("babble_pool", 500, 1),
      r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json BackgroundNoiseHook::to_json() const {
  return {{"type", type_name()},
          {"source", kSources[static_cast<std::size_t>(source_)]},
          {"min_snr_db", min_snr_db_},
          {"max_snr_db", max_snr_db_},
          {"babble_size", babble_size_},
          {"babble_pool", babble_pool_},
          {"p", p()}};
}

void BackgroundNoiseHook::setup(const HookSetup& setup) {
  require_audio_inputs(setup, "background_noise");
  audio_ = setup.audio;
  const std::int64_t t = audio_ ? audio_->max_length() : setup.input.sample_shape[0];
  fft_ = std::make_shared<RealFft>(std::max<std::int64_t>(t, 2));
  if (source_ != NoiseSource::babble) return;
  if (audio_) {
    std::vector<std::int64_t> first(
        static_cast<std::size_t>(std::min(babble_pool_, audio_->size())));
    std::iota(first.begin(), first.end(), std::int64_t{0});
    pool_ = audio_->raw(first);
  } else if (setup.training_inputs) {
    pool_.inputs = setup.training_inputs(babble_pool_);
    // Waveform inputs come without their lengths here: a clip lasts to its last sound.
    pool_.lengths = Tensor::empty({pool_.inputs.size(0)});
    for (std::int64_t i = 0; i < pool_.inputs.size(0); ++i) {
      const float* x = pool_.inputs.ptr() + i * t;
      std::int64_t n = t;
      while (n > 0 && x[n - 1] == 0.0f) --n;
      pool_.lengths.ptr()[i] = static_cast<float>(n);
    }
  } else {
    throw ConfigError(setup.path + ": background_noise with babble needs the training clips");
  }
}

double BackgroundNoiseHook::snr_db(const RandomStream& stream, std::int64_t b) const {
  return min_snr_db_ +
         (max_snr_db_ - min_snr_db_) * stream.child(static_cast<std::uint64_t>(b)).uniform(0);
}

std::vector<float> BackgroundNoiseHook::babble(std::int64_t n, const RandomStream& stream) const {
  std::vector<float> out(static_cast<std::size_t>(n), 0.0f);
  const std::int64_t t = pool_.inputs.size(1);
  const std::vector<std::int64_t> lengths = sample_lengths(pool_);
  for (std::int64_t k = 0; k < babble_size_; ++k) {
    const std::int64_t j = stream.integer(static_cast<std::uint64_t>(2 * k), pool_.size());
    const std::int64_t len = lengths[static_cast<std::size_t>(j)];
    if (len == 0) continue;
    const std::int64_t offset = stream.integer(static_cast<std::uint64_t>(2 * k + 1), len);
    const float* clip = pool_.inputs.ptr() + j * t;
    for (std::int64_t s = 0; s < n; ++s)
      out[static_cast<std::size_t>(s)] += clip[(offset + s) % len];
  }
  return out;
}

void BackgroundNoiseHook::on_batch(StepContext& ctx, Batch& batch) {
  if (!fires(ctx)) return;
  const RandomStream stream = ctx.stream("background_noise");
  Batch waves = batch_waveforms(batch, audio_.get());
  const std::int64_t t = waves.inputs.size(1);
  const std::vector<std::int64_t> lengths = sample_lengths(waves);
  Tensor out = waves.inputs.clone();
  const double exponent = source_ == NoiseSource::pink    ? 1.0
                          : source_ == NoiseSource::brown ? 2.0
                                                          : 0.0;
  parallel_for(
      waves.size(),
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) {
          const RandomStream s = stream.child(static_cast<std::uint64_t>(i)).child(1);
          const std::int64_t n = lengths[static_cast<std::size_t>(i)];
          const std::vector<float> noise =
              source_ == NoiseSource::babble ? babble(n, s) : coloured_noise(*fft_, exponent, s);
          const std::vector<float> mixed = mix_at_snr(
              {waves.inputs.ptr() + i * t, static_cast<std::size_t>(n)}, noise, snr_db(stream, i));
          std::copy(mixed.begin(), mixed.end(), out.ptr() + i * t);
        }
      },
      1);
  waves.inputs = out;
  set_batch_waveforms(batch, waves, std::vector<char>(static_cast<std::size_t>(waves.size()), 1),
                      audio_.get());
}

}  // namespace dither
