#include "augment/hook.h"

namespace dither {

RandomStream StepContext::stream(std::string_view purpose) const {
  return RandomStream(seed, purpose, {hook_index, static_cast<std::uint64_t>(step)});
}

void Hook::check_input(const InputInfo&, const std::string&) const {}

bool Hook::fires(const StepContext& ctx) const {
  if (p_ >= 1.0) return true;
  if (p_ <= 0.0) return false;
  return ctx.stream("apply").bernoulli(0, p_);
}

}  // namespace dither
