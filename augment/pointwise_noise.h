#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "augment/hook.h"
#include "augment/strength.h"
#include "core/parallel.h"

namespace dither {

/// out[i] = f(x[i], r[i], i) for every element of x, where r is one bulk draw per element that
/// `draw(span)` writes (RandomStream::fill_uniform or fill_normal), in parallel; f must be a pure
/// function of its arguments, so the result is the same at any thread count. A new leaf.
template <class Draw, class Fn>
Tensor map_with_draws(const Tensor& x, const Draw& draw, const Fn& f) {
  Tensor out = Tensor::empty(x.shape());
  draw(out.data());
  const float* in = x.ptr();
  float* o = out.ptr();
  parallel_for(out.numel(), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) o[i] = f(in[i], o[i], static_cast<std::uint64_t>(i));
  });
  return out;
}

/// The options every element-wise input noise hook shares: one strength under `key` (with its
/// ramp), "clip" (false) and "p" (1).
struct PointwiseNoiseOptions {
  Strength strength;
  bool clip = false;
  double p = 1.0;

  /// Reads {"type", key, "clip", "p", "ramp_epochs"} and refuses any other key.
  static PointwiseNoiseOptions read(const nlohmann::json& spec, const std::string& path,
                                    const char* key, double fallback);
};

/// What uniform and speckle noise have in common: on a batch that fires with a non-zero
/// strength, each input element is perturbed independently from the stream named after the
/// hook's type, then clamped to the data's valid range when "clip" is on. Refused for token ids.
class PointwiseNoiseHook : public Hook {
 public:
  PointwiseNoiseHook(const char* key, PointwiseNoiseOptions options);

  nlohmann::json to_json() const override;
  void setup(const HookSetup& setup) override;
  void on_batch(StepContext& ctx, Batch& batch) override;

 protected:
  /// The perturbed copy of x at `strength`, clamped to [low, high].
  virtual Tensor perturb(const Tensor& x, float strength, const RandomStream& stream, float low,
                         float high) const = 0;

 private:
  const char* key_;
  Strength strength_;
  bool clip_;
};

}  // namespace dither
