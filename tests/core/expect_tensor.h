#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace dither::testing {

/// Success when `t` has `shape` and every value matches `values` within
/// `tolerance` * max(1, |expected|); NaN matches NaN. Failures name the first bad element.
inline ::testing::AssertionResult tensor_is(const Tensor& t, const Shape& shape,
                                            const std::vector<float>& values,
                                            float tolerance = 1e-6f) {
  if (t.shape() != shape) {
    return ::testing::AssertionFailure()
           << "shape " << to_string(t.shape()) << ", expected " << to_string(shape);
  }
  if (static_cast<std::size_t>(t.numel()) != values.size()) {
    return ::testing::AssertionFailure()
           << values.size() << " expected values for " << to_string(shape);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float got = t.data()[i];
    const float want = values[i];
    const bool both_nan = std::isnan(got) && std::isnan(want);
    const bool same_inf = std::isinf(got) && got == want;
    if (!both_nan && !same_inf &&
        !(std::abs(got - want) <= tolerance * std::max(1.0f, std::abs(want)))) {
      return ::testing::AssertionFailure()
             << "element " << i << ": " << got << ", expected " << want;
    }
  }
  return ::testing::AssertionSuccess();
}

/// Success when calling `fn` throws E whose message contains every one of `parts`.
template <class E, class Fn>
::testing::AssertionResult throws_with(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
  } catch (const E& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message '" << message << "' lacks '" << part << "'";
      }
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "nothing was thrown";
}

}  // namespace dither::testing
