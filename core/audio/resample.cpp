#include "core/audio/resample.h"

#include <soxr.h>

#include <cmath>

#include "core/error.h"

namespace dither {

std::vector<float> resample(std::span<const float> x, double in_rate, double out_rate) {
  check(in_rate > 0.0 && out_rate > 0.0, "resample: rates must be > 0, got ", in_rate, " and ",
        out_rate);
  if (x.empty()) return {};
  const auto wanted =
      static_cast<std::size_t>(std::llround(static_cast<double>(x.size()) * out_rate / in_rate));
  std::vector<float> out(wanted, 0.0f);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  std::size_t done = 0;
  const soxr_error_t error = soxr_oneshot(in_rate, out_rate, 1, x.data(), x.size(), nullptr,
                                          out.data(), out.size(), &done, &io, &quality, &runtime);
  check(error == nullptr, "resample: libsoxr failed: ", error ? error : "");
  // soxr's own count may fall a sample short of the rounded ideal: that sample stays 0.
  check(done + 1 >= wanted, "resample: libsoxr gave ", done, " samples of ", wanted);
  return out;
}

}  // namespace dither
