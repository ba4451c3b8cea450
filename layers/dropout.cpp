#include "layers/dropout.h"

#include <nlohmann/json.hpp>

#include "core/ops/noise.h"
#include "core/random.h"

namespace dither {

Dropout::Dropout(double p) : p_(check_drop_probability("dropout", p)) {}

Tensor Dropout::forward(const Tensor& x) {
  if (!noise_active()) return x;
  return p_ == 0.0 ? x : dropout(x, p_, noise_stream(type_name()), x.shape());
}

nlohmann::json Dropout::to_json() const { return {{"type", type_name()}, {"p", p_}}; }

}  // namespace dither
