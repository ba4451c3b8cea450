#pragma once

#include <span>
#include <vector>

namespace dither {

/// x (sampled at in_rate) resampled to out_rate by libsoxr's one-shot converter at its high
/// quality setting (SOXR_HQ: 20-bit precision, band-limited, linear phase), single-threaded so
/// that callers can run one per worker. The result has round(x.size() * out_rate / in_rate)
/// samples (the ideal length to within one sample); an empty input gives an empty output.
std::vector<float> resample(std::span<const float> x, double in_rate, double out_rate);

}  // namespace dither
