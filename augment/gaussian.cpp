#include "augment/gaussian.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "augment/sequence.h"
#include "core/error.h"
#include "core/json_reader.h"
#include "core/parallel.h"

namespace dither {

namespace {

// x + scale(i) * z_i, z = the stream's bulk normals, clamped to [low, high]; with `valid`, the
// elements of sample b from valid[b] on (its padding) keep their values.
template <class Scale>
Tensor add_scaled_noise(const Tensor& x, const RandomStream& stream, float low, float high,
                        const Scale& scale, const std::vector<std::int64_t>& valid = {}) {
  Tensor out = Tensor::empty(x.shape());
  stream.fill_normal(out.data(), 0.0f, 1.0f);
  const float* in = x.ptr();
  float* o = out.ptr();
  const std::int64_t row = x.numel() / std::max<std::int64_t>(1, x.dim() > 0 ? x.size(0) : 1);
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      const bool padding = !valid.empty() && i % row >= valid[static_cast<std::size_t>(i / row)];
      o[i] = padding ? in[i] : std::clamp(in[i] + scale(i) * o[i], low, high);
    }
  });
  return out;
}

// Valid elements of each sample: its length times the elements of a step, for sequence and
// token inputs with lengths (a sample's padding is the end of its row); empty when all are.
std::vector<std::int64_t> valid_elements(const Batch& batch) {
  if (!batch.lengths.defined()) return {};
  const std::vector<std::int64_t> lengths = batch_lengths(batch, "gaussian");
  const std::int64_t per_step = batch.inputs.numel() / (batch.size() * batch.inputs.size(1));
  std::vector<std::int64_t> out;
  for (const std::int64_t length : lengths) out.push_back(length * per_step);
  return out;
}

}  // namespace

Tensor add_gaussian_noise(const Tensor& x, float sigma, const RandomStream& stream, float low,
                          float high) {
  return add_scaled_noise(x, stream, low, high, [sigma](std::int64_t) { return sigma; });
}

std::vector<float> sample_std(const Tensor& x, const std::vector<std::int64_t>& valid) {
  const std::int64_t b = x.size(0);
  const std::int64_t row = b == 0 ? 0 : x.numel() / b;
  std::vector<float> out(static_cast<std::size_t>(b));
  const float* p = x.ptr();
  for (std::int64_t i = 0; i < b; ++i) {
    const std::int64_t n = valid.empty() ? row : valid[static_cast<std::size_t>(i)];
    double sum = 0.0;
    double sq = 0.0;
    for (std::int64_t j = 0; j < n; ++j) {
      const double v = p[i * row + j];
      sum += v;
      sq += v * v;
    }
    const double mean = sum / static_cast<double>(std::max<std::int64_t>(n, 1));
    const double var = sq / static_cast<double>(std::max<std::int64_t>(n, 1)) - mean * mean;
    out[static_cast<std::size_t>(i)] = static_cast<float>(std::sqrt(std::max(var, 0.0)));
  }
  return out;
}

void require_continuous_inputs(const HookSetup& setup, const char* technique) {
  if (setup.input.kind == InputKind::tokens) {
    throw ConfigError(setup.path + ": " + technique +
                      " needs continuous inputs; token ids are not (use token_mask, or a "
                      "noise layer after an embedding layer)");
  }
}

std::pair<float, float> clip_range(const InputInfo& input, bool clip) {
  if (clip && input.bounded()) return {input.low, input.high};
  return {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
}

GaussianNoiseHook::GaussianNoiseHook(Strength sigma, bool relative, bool clip, double p)
    : Hook(p), sigma_(sigma), relative_(relative), clip_(clip) {}

std::unique_ptr<Hook> GaussianNoiseHook::from_json(const nlohmann::json& spec,
                                                   const std::string& path) {
  JsonReader r(spec, path);
  r.allow_only({"type", "sigma", "relative", "clip", "p", "ramp_epochs"});
  return std::make_unique<GaussianNoiseHook>(Strength::read(r, "sigma", 0.1, 0.0, 1e6),
                                             r.boolean("relative", false), r.boolean("clip", false),
                                             r.number("p", 1.0, 0.0, 1.0));
}

nlohmann::json GaussianNoiseHook::to_json() const {
  nlohmann::json j{{"type", type_name()}, {"relative", relative_}, {"clip", clip_}, {"p", p()}};
  sigma_.write(j, "sigma");
  return j;
}

void GaussianNoiseHook::setup(const HookSetup& setup) {
  require_continuous_inputs(setup, "gaussian noise");
}

void GaussianNoiseHook::on_batch(StepContext& ctx, Batch& batch) {
  const double sigma = sigma_.at(ctx.epochs_done());
  if (sigma == 0.0 || !fires(ctx)) return;
  const auto [low, high] = clip_range(*ctx.input, clip_);
  const RandomStream stream = ctx.stream("gaussian");
  const std::vector<std::int64_t> valid = valid_elements(batch);
  if (!relative_) {
    const auto s = static_cast<float>(sigma);
    batch.inputs = add_scaled_noise(
        batch.inputs, stream, low, high, [s](std::int64_t) { return s; }, valid);
    return;
  }
  std::vector<float> scale = sample_std(batch.inputs, valid);
  for (float& s : scale) s *= static_cast<float>(sigma);
  const std::int64_t row = batch.inputs.numel() / std::max<std::int64_t>(1, batch.size());
  batch.inputs = add_scaled_noise(
      batch.inputs, stream, low, high,
      [&](std::int64_t i) { return scale[static_cast<std::size_t>(i / row)]; }, valid);
}

}  // namespace dither
