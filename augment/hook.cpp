#include "augment/hook.h"

#include <string>

namespace dither {
namespace {

std::string hook_stream_name(std::size_t hook_index, std::string_view purpose) {
  std::string name = "noise[" + std::to_string(hook_index) + "]/";
  name += purpose;
  return name;
}

}  // namespace

double StepContext::epochs_done() const {
  return static_cast<double>(epoch) +
         static_cast<double>(batch_index) /
             static_cast<double>(std::max<std::int64_t>(1, batches_per_epoch));
}

RandomStream StepContext::stream(std::string_view purpose) const {
  return RandomStream(seed, hook_stream_name(hook_index, purpose),
                      {static_cast<std::uint64_t>(step)});
}

RandomStream StepContext::fixed_stream(std::string_view purpose) const {
  return RandomStream(seed, hook_stream_name(hook_index, purpose));
}

Tensor StepContext::loss(const Tensor& logits, const Tensor& targets) const {
  return (*criterion)(logits, targets);
}

Tensor StepContext::forward(const Tensor& x, PassMode mode) const {
  return passes->forward(x, mode);
}

Tensor StepContext::input_gradient(const Tensor& x, const ScalarOfLogits& f, PassMode mode) const {
  return passes->input_gradient(x, f, mode);
}

bool Hook::fires(const StepContext& ctx) const {
  if (p_ >= 1.0) return true;
  if (p_ <= 0.0) return false;
  return ctx.stream("apply").bernoulli(0, p_);
}

}  // namespace dither
