#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/json_reader.h"
#include "core/tensor.h"
#include "layers/module.h"

namespace dither {

/// How an extra pass runs the model. Attacks default to eval, as TRADES, torchattacks and ART
/// recommend: an example crafted against the deterministic model, with BatchNorm's running
/// statistics. mc keeps the noise layers drawing with BatchNorm in eval (EOT, MC dropout).
enum class PassMode { eval, train, mc };

std::string to_string(PassMode mode);
/// The value of `key` ("eval", "train" or "mc"), `fallback` when absent.
PassMode read_pass_mode(const JsonReader& reader, std::string_view key, PassMode fallback);

/// A scalar function of the logits whose input gradient an attack follows.
using ScalarOfLogits = std::function<Tensor(const Tensor& logits)>;

/// Extra forwards of a model that leave no trace: BatchNorm's running statistics, the model's
/// mode and its noise clock are as before each call, and no parameter's grad() is touched.
/// Call k draws its noise from pass first_pass + k of the clock's (seed, step), so the passes
/// of a step are reproducible and never shift what the training forward draws.
class ExtraPasses {
 public:
  ExtraPasses(Module& model, NoiseClock first);

  /// model(x) in `mode`, recorded when grad mode is on: a hook may put it in the step's loss.
  Tensor forward(const Tensor& x, PassMode mode);
  /// d f(model(x)) / dx, computed without recording anything beyond the call and without
  /// touching parameter gradients (grad mode is switched on for the call when it is off).
  Tensor input_gradient(const Tensor& x, const ScalarOfLogits& f, PassMode mode);

  std::uint64_t passes_used() const { return used_; }

 private:
  Module& model_;
  NoiseClock first_;
  std::uint64_t used_ = 0;
};

}  // namespace dither
