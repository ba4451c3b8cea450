#include "augment/sequence.h"

#include "core/error.h"
#include "core/lengths.h"

namespace dither {

std::vector<std::int64_t> batch_lengths(const Batch& batch, std::string_view who) {
  const Tensor& x = batch.inputs;
  check_shape(x.dim() >= 2, who, ": needs inputs [B, T, ...], got ", x.shape());
  return valid_steps(batch.lengths, x.size(0), x.size(1), who);
}

void require_sequence_inputs(const HookSetup& setup, std::string_view technique) {
  const InputInfo& input = setup.input;
  if (input.kind == InputKind::tokens) {
    throw ConfigError(str(setup.path, ": ", technique,
                          " works on the time steps of sequences [T, F]; for token ids use "
                          "token_mask"));
  }
  if (input.kind != InputKind::sequence || input.sample_shape.size() != 2) {
    throw ConfigError(str(setup.path, ": ", technique,
                          " works on the time steps of sequences [T, F]; this is ",
                          to_string(input.kind), " data of shape ", input.sample_shape));
  }
}

}  // namespace dither
