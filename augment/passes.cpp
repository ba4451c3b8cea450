#include "augment/passes.h"

#include "core/autograd.h"
#include "core/error.h"

namespace dither {
std::string to_string(PassMode mode) {
  switch (mode) {
    case PassMode::eval:
      return "eval";
    case PassMode::train:
      return "train";
    case PassMode::mc:
      return "mc";
  }
  return "eval";
}

PassMode read_pass_mode(const JsonReader& reader, std::string_view key, PassMode fallback) {
  const std::string name = reader.string(key, to_string(fallback), {"eval", "train", "mc"});
  if (name == "train") return PassMode::train;
  if (name == "mc") return PassMode::mc;
  return PassMode::eval;
}

ExtraPasses::ExtraPasses(Module& model, NoiseClock first) : model_(model), first_(first) {}

Tensor ExtraPasses::forward(const Tensor& x, PassMode mode) {
  NoiseClock clock = first_;
  clock.pass += used_++;
  const BufferSnapshot buffers(model_);
  const ModeGuard guard(model_, mode == PassMode::train, mode == PassMode::mc, clock);
  return model_.forward(x);
}

Tensor ExtraPasses::input_gradient(const Tensor& x, const ScalarOfLogits& f, PassMode mode) {
  const GradModeGuard grad_on(true);  // even inside an evaluation's NoGradGuard
  Tensor leaf = x.detach();
  leaf.set_requires_grad(true);
  const Tensor value = f(forward(leaf, mode));
  check_shape(value.numel() == 1, "input_gradient: the function of the logits must be a scalar, ",
              "got shape ", value.shape());
  return grad(value, {leaf})[0];
}

}  // namespace dither
