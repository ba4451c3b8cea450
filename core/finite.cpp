#include "core/finite.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "core/simd.h"

namespace dither {
namespace {

// A float is non-finite exactly when its exponent bits are all set; an integer OR-reduction of
// that test vectorises, where a float loop would not.
DITHER_CLONES bool any_non_finite(const float* p, std::int64_t n) {
  std::uint32_t non_finite = 0;
  for (std::int64_t i = 0; i < n; ++i)
    non_finite |= (std::bit_cast<std::uint32_t>(p[i]) & 0x7f800000u) == 0x7f800000u;
  return non_finite != 0;
}

}  // namespace

const float* first_non_finite(const float* p, std::int64_t n) {
  if (!any_non_finite(p, n)) return nullptr;
  return std::find_if(p, p + n, [](float v) { return !std::isfinite(v); });
}

}  // namespace dither
