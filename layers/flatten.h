#pragma once

#include <cstdint>

#include "layers/module.h"

namespace dither {

/// Merges axes start_axis.. into one, keeping the batch axis: [N, C, H, W] -> [N, C*H*W] for the
/// default start_axis 1. Shares storage with its input. JSON: {"type": "flatten", "start_axis": 1}.
class Flatten : public Module {
 public:
  /// Throws Error unless start_axis >= 1 (axis 0 is the batch).
  explicit Flatten(std::int64_t start_axis = 1);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "flatten"; }
  nlohmann::json to_json() const override;
  std::int64_t start_axis() const { return start_axis_; }

 private:
  std::int64_t start_axis_;
};

}  // namespace dither
